"""Secret detection: the one test of whether an environment variable holds secret material.

Every reader (Compose, Space Cloud, DevSpace) and lint's SVC601 call :func:`detect`, so for one
name and value they always decide alike. It judges the value first and the name second:

1. A value that is only references (``$(VAR)``, ``${VAR}``, ``{{ … }}``) or a pointer to a secret
   kept elsewhere (``vault:…``, ``ref+…://``, a file path such as ``/run/secrets/db``) is not a
   secret: moving it into a Secret would even break it, as Kubernetes does not expand ``$(VAR)``
   in a ``secretKeyRef`` value.
2. A value matching one of :data:`VALUE_PATTERNS` (known token formats, private keys, passwords
   inside URLs and connection strings, ``Authorization`` headers…) is secret whatever its name.
   Where a pattern's secret part is only references (``postgres://$(U):$(PW)@db``) it does not
   count: the literal password is what counts.
3. Otherwise the name decides (:data:`NAME_RULES`): ``DB_PW``, ``REDIS_AUTH``, ``SESSION_KEY``
   hold secrets; ``PASSWORD_MIN_LENGTH``, ``API_KEY_HEADER``, ``JWT_PUBLIC_KEY`` configure one.
   A secret name with a value that is plainly a setting (a boolean, a small number, a size, a URL
   without credentials, a public key or certificate) is not a secret either.

The patterns are data, each with an example (a test checks every one), and ``svcgen explain
SVC601`` prints them. Hand-made patterns rather than a library: the ones commonly used in
pre-commit hooks (detect-secrets) judge lines of source code by entropy and keywords; on
environment variables they miss most passwords and flag ids and hashes (see the README's table,
measured on the same corpus).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """A value format that is secret material whatever the variable is called.

    ``regex`` may have a group named ``secret``: the part that must be literal text (not only
    references) for the match to count. ``confirm`` checks what a regular expression cannot.
    """

    name: str
    regex: re.Pattern[str]
    example: str
    what: str
    confirm: Callable[[re.Match[str]], bool] | None = None


def _pem_in_base64(m: re.Match[str]) -> bool:
    """base64 of a PEM block counts only when the decoded block is a private key."""
    text = m.group(0)
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        return False
    return bool(PRIVATE_KEY.search(decoded.decode("latin-1")))


def _not_a_port(m: re.Match[str]) -> bool:
    """``http://host:8080/x@y``: digits after the host are a port, not a password."""
    return not re.fullmatch(r"\d{1,5}(/.*)?", m.group("secret"), re.DOTALL)


#: The armour line of a PEM, OpenSSH or PGP private key.
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PARAM_VALUE = r"""(?P<secret>"[^"]+"|'[^']+'|\{[^}]+\}|[^&;,\s"']+)"""


def _p(name: str, regex: str, example: str, what: str,
       confirm: Callable[[re.Match[str]], bool] | None = None, flags: int = 0) -> Pattern:
    return Pattern(name, re.compile(regex, flags), example, what, confirm)


#: Values that are secret whatever their variable's name, the specific formats before the generic
#: ones (a JAAS config also has a ``password=`` parameter). Examples are made up; they only have
#: the shape of the real thing.
VALUE_PATTERNS: tuple[Pattern, ...] = (
    _p("private-key", PRIVATE_KEY.pattern, "-----BEGIN PRIVATE KEY-----\nMIIEvQ...",
       "a PEM, OpenSSH or PGP private key"),
    _p("private-key-base64", r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{16,}={0,2}",
       base64.b64encode(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE").decode(),
       "a private key PEM block, base64-encoded", _pem_in_base64),
    _p("gcp-service-account", r'"type"\s*:\s*"service_account"',
       '{"type": "service_account", "project_id": "shop", "private_key": "..."}',
       "a Google Cloud service-account key (JSON)"),
    _p("aws-access-key-id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", "AKIAIOSFODNN7EXAMPLE",
       "an AWS access key id"),
    _p("gcp-api-key", r"\bAIza[0-9A-Za-z_\-]{35}\b", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
       "a Google API key"),
    _p("azure-connection-string",
       rf"(?:AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*{_PARAM_VALUE}",
       "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=bXlrZXk9PQ==;",
       "an Azure storage or Service Bus connection string with its key", flags=re.IGNORECASE),
    _p("digitalocean-token", r"\bdo[opr]_v1_[a-f0-9]{64}\b", "dop_v1_" + "3f" * 32,
       "a DigitalOcean API or OAuth token"),
    _p("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
       "ghp_" + "a1B2c3D4e5" * 3 + "F6g7H8", "a GitHub personal, OAuth, app or refresh token"),
    _p("gitlab-token", r"\bgl(?:pat|dt|ptt|rt|cbt|oas|ft|imt|agent)-[0-9A-Za-z_\-]{20,}",
       "glpat-" + "xY3z" * 5, "a GitLab access, deploy or runner token"),
    _p("slack-token", r"\bxox[abposer]-[0-9A-Za-z\-]{10,}", "xoxb-2048-4096-" + "Ab" * 12,
       "a Slack bot, user or app token"),
    _p("webhook-url",
       r"https://(?:hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_\-]{10,}|"
       r"(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w\-]{10,}|"
       r"[\w\-]+\.webhook\.office\.com/webhookb2/\S{10,}|"
       r"chat\.googleapis\.com/v1/spaces/[^?\s]+\?\S*key=\S+)",
       "https://hooks.slack.com/services/T0ABC/B0DEF/" + "x1Y2" * 6,
       "a Slack, Discord, Teams or Google Chat webhook URL (the token is in the URL)"),
    _p("stripe-key", r"\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{10,}|\bwhsec_[0-9a-zA-Z]{20,}",
       "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "a Stripe secret or restricted key, or webhook "
       "signing secret (not the publishable pk_…)"),
    _p("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", "npm_" + "aB3dE6gH9j" * 3 + "kL2mN5",
       "an npm access token"),
    _p("pypi-token", r"\bpypi-AgE[A-Za-z0-9_\-]{20,}", "pypi-AgEIcHlwaS5vcmc" + "Q2" * 12,
       "a PyPI upload token"),
    _p("llm-api-key", r"\bsk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?[A-Za-z0-9_\-]{20,}",
       "sk-proj-" + "Tq8wZ" * 6, "an OpenAI- or Anthropic-style API key"),
    _p("sendgrid-key", r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}",
       "SG." + "ngeVfQFYQlKU0ufo8x5d1A" + "." + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",
       "a SendGrid API key"),
    _p("twilio-key", r"\bSK[0-9a-f]{32}\b", "SK" + "0123456789abcdef" * 2, "a Twilio API key"),
    _p("mailgun-key", r"\bkey-[0-9a-f]{32}\b", "key-" + "0f1e2d3c4b5a6978" * 2,
       "a Mailgun API key"),
    _p("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}", "hf_" + "AbCdEfGhIj" * 3 + "Kl",
       "a Hugging Face access token"),
    _p("jwt", r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{10,}",
       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcGkifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
       "a signed JSON Web Token"),
    _p("jvm-password-option",
       r"-D[\w.\-]*(?:password|passwd|secret|token|credentials?)[\w.\-]*=(?P<secret>\S+)",
       "-Djavax.net.ssl.keyStorePassword=changeit", "a JVM system property holding a password",
       flags=re.IGNORECASE),
    _p("jaas-config", r"LoginModule\s+required\b[^;]*\bpassword\s*=\s*(?P<secret>\"[^\"]+\"|\S+)",
       'org.apache.kafka.common.security.plain.PlainLoginModule required username="app" '
       'password="example-pw";', "a JAAS login configuration with a password"),
    _p("url-password",
       r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:?#]*:(?P<secret>[^\s@?#]+)@",
       "postgres://app:example-pw@db:5432/app",
       "a URL with a password in it (DSNs, JDBC URLs, broker URLs)", _not_a_port),
    _p("connection-string-password",
       rf"(?:^|[?&;\s,(])(?:password|passwd|pwd|pass|secret|client_secret|access_token|"
       rf"auth_token|token|api_?key|apikey|sig|signature|sslpassword)\s*=\s*{_PARAM_VALUE}",
       "Server=db;Database=shop;User Id=app;Password=example-pw;",
       "a password or token as a URL query, JDBC, ADO.NET, ODBC or libpq parameter",
       flags=re.IGNORECASE),
    _p("authorization-header",
       r"^\s*(?:Authorization:\s*)?(?:Bearer|Basic|Token|Bot|Digest|ApiKey|SSWS)\s+"
       r"(?P<secret>[A-Za-z0-9._~+/=\-]{8,})",
       "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "an HTTP Authorization header value",
       flags=re.IGNORECASE),
    _p("docker-auth-config", r'"(?:auth|password|identitytoken|registrytoken)"\s*:\s*'
       r'"(?P<secret>[^"]+)"', '{"auths": {"ghcr.io": {"auth": "YXBwOmV4YW1wbGU="}}}',
       "a docker config.json with registry credentials"),
    _p("npm-auth-config", r"(?:_authToken|_auth|_password)\s*=\s*(?P<secret>\S+)",
       "//registry.npmjs.org/:_authToken=" + "0a1b2c3d" * 4,
       "an .npmrc with a registry token or password"),
)

#: Values that point at a secret kept elsewhere: moving them into a Secret gains nothing.
POINTER = re.compile(
    r"^(?:vault:|ref\+[a-z0-9]+://|arn:aws:(?:secretsmanager|ssm|kms):|secretsmanager:|ssm:|"
    r"sm://|gcpsm://|gcp:secretmanager:|projects/[^/\s]+/secrets/|op://|azkv://|akv://|"
    r"keyvault:|awskms:|sops:|file://|"
    # a file path without spaces: the Docker ``*_FILE`` convention, mounted secrets, key files
    r"(?:/|\./|\.\./|~/)[^\s:]*$)"
)
#: References another layer expands: Kubernetes ``$(VAR)`` (and its escape ``$$(VAR)``), shell
#: and Compose ``${VAR}``/``$VAR``, templates ``{{ … }}``.
REFERENCE = re.compile(
    r"\$\$?\([A-Za-z_][A-Za-z0-9_.\-]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}",
    re.DOTALL,
)
#: Values that are plainly a setting even under a secret-looking name.
SETTING_VALUE = re.compile(
    r"^(?:true|false|yes|no|on|off|y|n|none|null|nil|enabled?|disabled?|required|optional|"
    r"plain|login|md5|scram-sha-256|trust|peer|basic|bearer|oauth2?|oidc|jwt|hmac|"
    r"hs256|hs512|rs256|es256|sha256|sha512|aes-256-gcm|bcrypt|scrypt|pbkdf2|argon2(?:id|i|d)?|"
    # a number of at most three digits, a size or a duration
    r"-?\d{1,3}|\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w|[kmgtpKMGTP]i?[bB]?|bytes))$",
    re.IGNORECASE,
)
#: Public halves: certificates and public keys are meant to be shared.
PUBLIC_MATERIAL = re.compile(
    r"^\s*(?:-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|PGP PUBLIC KEY BLOCK|"
    r"X509 CRL|CERTIFICATE REQUEST)-----|(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-\S+|"
    r"sk-ssh-ed25519@openssh\.com) AAAA)"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://(?P<userinfo>[^\s/@]*@)?[^\s]*$")


@dataclass(frozen=True)
class NameRule:
    """A way variable names say "this holds a password or key"."""

    name: str
    test: Callable[[list[str]], bool]
    example: str
    what: str


#: Name parts that hold secret material wherever they stand: ``DB_PASSWORD``, ``PGPASSWORD``
#: (as a word's ending too), ``API_TOKEN``.
_SECRET_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "ACCESSKEY",
                 "SECRETKEY", "PRIVATEKEY", "AUTHTOKEN", "CREDENTIAL", "CREDENTIALS")
#: Abbreviations that count only as a whole part: ``DB_PW``, ``SMTP_PASS``, ``GH_PAT``.
_SECRET_PARTS = frozenset({"PW", "PWD", "PASS", "PAT", "PSK", "CREDS", "DSN", "SALT", "PEPPER",
                           "AUTHORIZATION", "HTPASSWD", "PASSCODE"})
#: ``<qualifier>_KEY`` is a signing, encryption or session key (``SESSION_KEY``, ``TLS_KEY``);
#: a plain ``_KEY`` is usually a cache, sort or routing key and is left alone.
_KEY_QUALIFIERS = frozenset({
    "API", "ACCESS", "SECRET", "PRIVATE", "SIGNING", "SIGN", "SIGNATURE", "ENCRYPTION", "ENCRYPT",
    "CRYPT", "CRYPTO", "CIPHER", "AES", "ENC", "SESSION", "MASTER", "HMAC", "JWT", "COOKIE", "APP",
    "AUTH", "CLIENT", "LICENSE", "ACCOUNT", "STORAGE", "TLS", "SSL", "SSH", "GPG", "PGP", "DEPLOY",
    "WEBHOOK", "SHARED", "ADMIN", "ROOT", "SERVER", "CSRF", "TOTP", "OTP", "VAPID", "SERVICE",
    "FERNET", "UNSEAL", "RECOVERY", "STRIPE", "SENDGRID", "MAILGUN", "OPENAI", "ANTHROPIC",
    "TWILIO", "ALGOLIA", "MAPBOX",
    "PUSHER", "DATADOG", "DD", "NEWRELIC", "S3", "MINIO", "SPACES", "AWS", "GCP", "AZURE",
    "CLOUDFLARE", "GITHUB", "GITLAB", "SLACK", "NPM", "PYPI", "RECAPTCHA", "MASTERKEY",
})
#: Last parts (or last two) that say the variable configures or names a secret, not holds it.
_SETTING_SUFFIXES = frozenset({
    "FILE", "PATH", "DIR", "DIRECTORY", "NAME", "USER", "USERNAME", "LOGIN", "TTL", "EXPIRY",
    "EXPIRES", "EXPIRE", "EXPIRATION", "LENGTH", "LEN", "MIN", "MAX", "HEADER", "ENABLED",
    "ENABLE", "DISABLED", "DISABLE", "REQUIRED", "TYPE", "ID", "IDS", "POLICY", "URL", "URI",
    "ENDPOINT", "HOST", "PORT", "TIMEOUT", "LIFETIME", "AGE", "ALGORITHM", "ALG", "ISSUER",
    "AUDIENCE", "PREFIX", "SUFFIX", "FORMAT", "MODE", "INTERVAL", "REGION", "VERSION", "LIMIT",
    "COUNT", "SIZE", "HASH", "DIGEST", "SCHEME", "STRATEGY", "PROVIDER", "BACKEND", "STORE",
    "KIND", "FIELD", "PARAM", "LOCATION", "RETRIES", "ATTEMPTS", "SECONDS", "SECS", "MS", "DAYS",
    "HOURS", "MINUTES", "DURATION", "LEEWAY", "ROTATION", "CACHE", "ROUNDS", "COST",
    "ITERATIONS", "CHARS", "CHARSET", "REGEX", "PATTERN", "MESSAGE", "LABEL", "ARN", "REF",
    "SOURCE", "NAMESPACE", "MOUNT", "CLASS", "METHOD", "METHODS", "MECHANISM", "THRESHOLD",
    "COMPLEXITY", "STRENGTH", "HINT", "WINDOW", "BUCKET", "PERIOD", "DELAY", "SERVICE",
    "MANAGER", "ENGINE", "CONFIG", "TEMPLATE", "DOMAIN", "QUEUE", "TOPIC", "MODEL", "RESET",
    "KEY_ID", "KEYID",
})
#: Parts that mark the public half or a non-secret variant: ``JWT_PUBLIC_KEY``.
_PUBLIC_PARTS = frozenset({"PUBLIC", "PUB", "PUBLISHABLE"})
#: Whole names that look secret but are not: the shell's working directories.
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})


def name_parts(name: str) -> list[str]:
    """``dbPassword`` / ``db-password`` / ``DB_PASSWORD`` → ``["DB", "PASSWORD"]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [p for p in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if p]


def _has_secret_word(parts: list[str]) -> bool:
    return any(p.endswith(_SECRET_WORDS) for p in parts)


def _has_secret_part(parts: list[str]) -> bool:
    return any(p in _SECRET_PARTS for p in parts)


def _auth_last(parts: list[str]) -> bool:
    return len(parts) >= 2 and parts[-1] == "AUTH"


def _qualified_key(parts: list[str]) -> bool:
    return any(p in ("KEY", "KEYS") and i > 0 and parts[i - 1] in _KEY_QUALIFIERS
               for i, p in enumerate(parts))


#: The ways a name says it holds a secret, in the order they are tried.
NAME_RULES: tuple[NameRule, ...] = (
    NameRule("secret-word", _has_secret_word, "PGPASSWORD",
             "a part is or ends with PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, APIKEY, "
             "ACCESSKEY, CREDENTIAL(S)"),
    NameRule("secret-abbreviation", _has_secret_part, "DB_PW",
             "a part is PW, PWD, PASS, PAT, PSK, CREDS, DSN, SALT, PEPPER, AUTHORIZATION"),
    NameRule("auth-suffix", _auth_last, "REDIS_AUTH", "the last part is AUTH"),
    NameRule("qualified-key", _qualified_key, "SESSION_KEY",
             "KEY after a word naming a signing, encryption, session, API or vendor key"),
)


def secret_name_rule(name: str) -> str | None:
    """The name rule that makes ``name`` a secret-holding variable, or None."""
    parts = name_parts(name)
    if not parts or name.upper() in _NOT_SECRET_NAMES or _PUBLIC_PARTS.intersection(parts):
        return None
    if parts[-1] in _SETTING_SUFFIXES or "_".join(parts[-2:]) in _SETTING_SUFFIXES:
        return None
    return next((r.name for r in NAME_RULES if r.test(parts)), None)


@dataclass(frozen=True)
class Detection:
    """Why ``name=value`` is secret: the value pattern or name rule that matched."""

    rule: str
    by_value: bool

    def describe(self, name: str) -> str:
        """A message about the variable that never carries its value."""
        if self.by_value:
            return f"{name} holds a credential ({self.rule})"
        return f"{name} looks like a secret ({self.rule})"


def literal(text: str) -> str:
    """``text`` without the references another layer expands: what is written literally."""
    return REFERENCE.sub("", text)


def only_references(text: str) -> bool:
    """True when ``text`` is references and punctuation only, or a pointer to a secret kept
    elsewhere: nothing secret is written in it."""
    stripped = text.strip()
    return bool(POINTER.match(stripped)) or not re.search(r"[A-Za-z0-9]", literal(stripped))


def _unquoted(part: str) -> str:
    """A parameter value without its quotes, or the braces ODBC puts around it (``PWD={x}``)."""
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    if part.startswith("{") and part.endswith("}") and not REFERENCE.fullmatch(part):
        return part[1:-1]
    return part


def _value_pattern(text: str) -> Pattern | None:
    for pattern in VALUE_PATTERNS:
        for m in pattern.regex.finditer(text):
            part = _unquoted(m.groupdict().get("secret") or m.group(0))
            if only_references(part):
                continue
            if pattern.confirm is None or pattern.confirm(m):
                return pattern
    return None


def _setting_value(text: str) -> bool:
    stripped = text.strip()
    if SETTING_VALUE.match(stripped) or PUBLIC_MATERIAL.match(stripped):
        return True
    url = _URL.match(stripped)
    return url is not None and url.group("userinfo") is None


def detect(name: str, value: object = None) -> Detection | None:
    """Whether the variable ``name=value`` holds secret material, and by which rule. A value of
    None is unknown (taken from the environment later): the name decides."""
    if isinstance(value, bool):
        return None
    if value is None:
        rule = secret_name_rule(name)
        return Detection(rule, False) if rule else None
    text = str(value)
    if not text.strip() or only_references(text):
        return None
    pattern = _value_pattern(text)
    if pattern is not None:
        return Detection(pattern.name, True)
    rule = secret_name_rule(name)
    if rule is None or _setting_value(literal(text)):
        return None
    return Detection(rule, False)


def is_secret(name: str, value: object = None) -> bool:
    """Whether ``name=value`` holds secret material: the test of every reader and of lint."""
    return detect(name, value) is not None


def fingerprint(value: str) -> str:
    """A short fingerprint that tells two values apart without showing either: 8 hex digits of a
    keyed, stretched hash, so a short password is not recovered by trying candidates cheaply."""
    digest = hashlib.pbkdf2_hmac("sha256", value.encode(), b"svcgen-fingerprint", 100_000)
    return "fp:" + digest.hex()[:8]


def explain_patterns() -> str:
    """The rules as text for ``svcgen explain SVC601``: each value pattern and name rule with
    what it finds and an example (examples of values are cut short: they are shapes only)."""
    lines = ["Values that are secret whatever the name (pattern: what it finds, e.g.):"]
    for p in VALUE_PATTERNS:
        example = p.example.replace("\n", "\\n")
        lines.append(f"  {p.name}: {p.what}, e.g. {example[:48]}{'…' if len(example) > 48 else ''}")
    lines.append("Names that hold a secret (rule: what it finds, e.g.):")
    lines.extend(f"  {r.name}: {r.what}, e.g. {r.example}" for r in NAME_RULES)
    lines.append("Not secret: values that are only references ($(VAR), ${VAR}, {{ … }}) or "
                 "pointers (vault:, ref+…://, file paths); under a secret name, booleans, small "
                 "numbers, sizes, URLs without credentials, certificates and public keys; names "
                 "ending in a setting word (" + ", ".join(sorted(_SETTING_SUFFIXES)[:12]) +
                 ", …) or with PUBLIC in them.")
    return "\n".join(lines) + "\n"
