"""A labelled corpus of environment variables as real stacks hold them, and the decision each
reader, lint and detect-secrets makes on it (shared by benchmarks/secrets.py and the tests).

About half are credentials (passwords under the names people give them, known token formats,
private keys, URLs and connection strings with passwords, JVM options, JAAS and docker configs,
Authorization headers); the rest are look-alikes (references to secrets, pointers to secret
stores, URLs without passwords, settings whose name contains a secret word, public keys and
certificates, hashes, ids, booleans, numbers, sizes). The token bodies are random: only their
shape is real. The corpus is built by code (seeded), so it is the same on every run.
"""

from __future__ import annotations

import base64
import json
import random
import string
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    value: str
    secret: bool
    kind: str


_rng = random.Random(25)
_ALNUM = string.ascii_letters + string.digits


def _rand(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _hex(n: int) -> str:
    return _rand(n, "0123456789abcdef")


def _b64(n: int) -> str:
    return base64.b64encode(_rng.randbytes(n)).decode()


def _pem(kind: str) -> str:
    body = "\n".join(_b64(48) for _ in range(3))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _passwords() -> Iterator[str]:
    """Passwords the way people set them: words, defaults, generated ones."""
    fixed = ["hunter2", "Tr0ub4dor&3", "correct-horse-battery-staple", "changeme", "s3cr3t!",
             "P@ssw0rd2024", "rootpass", "letmein", "admin123", "Summer2025!", "qwerty-uiop",
             "guest", "supersecret", "dev-password", "xK9#mP2$vL", "pa55word", "Welcome1"]
    yield from fixed
    while True:
        yield _rng.choice([_rand(16), _rand(24), _b64(24), _hex(32), _rand(12) + "!"])


PASSWORD_NAMES = [
    "DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD",
    "MARIADB_PASSWORD", "MONGO_INITDB_ROOT_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_DEFAULT_PASS",
    "SMTP_PASS", "MAIL_PASSWORD", "EMAIL_HOST_PASSWORD", "LDAP_BIND_PASSWORD",
    "KEYCLOAK_ADMIN_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD", "MINIO_ROOT_PASSWORD",
    "ELASTIC_PASSWORD", "PGPASSWORD", "DB_PW", "ROOT_PW", "ADMIN_PASSWD", "DB_PASS", "REDIS_AUTH",
    "MEMCACHED_AUTH", "SESSION_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "SECRET_KEY",
    "SECRET_KEY_BASE", "JWT_SECRET", "NEXTAUTH_SECRET", "COOKIE_SECRET", "CLIENT_SECRET",
    "OAUTH_CLIENT_SECRET", "WEBHOOK_SECRET", "API_TOKEN", "ACCESS_TOKEN", "REFRESH_TOKEN",
    "GH_PAT", "GITLAB_PAT", "DOCKER_PASSWORD", "REGISTRY_PASSWORD", "KEYSTORE_PASS",
    "TRUSTSTORE_PASSWORD", "SFTP_PASSWORD", "FTP_PASS", "AMQP_PASSWORD", "KAFKA_SASL_PASSWORD",
    "HMAC_KEY", "TOTP_SECRET", "MEILI_MASTER_KEY", "GPG_PASSPHRASE", "SSH_PASSPHRASE",
    "APP_KEY", "AUTH_SECRET", "API_KEY", "APIKEY", "X_API_KEY", "ADMIN_TOKEN", "BASIC_AUTH",
    "HTPASSWD", "MQTT_PASS", "INFLUXDB_ADMIN_PASSWORD", "NEO4J_AUTH", "COUCHDB_PASSWORD",
    "VNC_PW", "AIRFLOW__CORE__FERNET_KEY", "DJANGO_SECRET_KEY", "FLASK_SECRET_KEY",
    "WORDPRESS_AUTH_SALT", "PASSWORD_PEPPER", "CSRF_SECRET", "SMTP_PASSWORD", "LDAP_PW",
    "dbPassword", "redisPassword", "adminPass", "apiSecret", "jwtSigningKey", "SENTRY_AUTH_TOKEN",
    "SLACK_SIGNING_SECRET", "GITHUB_CLIENT_SECRET", "CONSUL_HTTP_TOKEN", "NOMAD_TOKEN",
    "ARGOCD_AUTH_TOKEN", "DD_API_KEY", "NEW_RELIC_LICENSE_KEY", "ALGOLIA_ADMIN_KEY",
    "RECAPTCHA_SECRET_KEY", "MAPBOX_SECRET_TOKEN", "PUSHER_APP_SECRET", "VAULT_UNSEAL_KEY",
    "TLS_KEY_PASSWORD", "PKCS12_PASSWORD", "SASL_PASSWORD", "ORDERS_DB_PASSWORD",
    "BILLING_DB_PW", "CACHE_REDIS_AUTH",
]


def _credentials() -> list[Case]:
    pw = _passwords()
    cases = [Case(n, next(pw), True, "password-name") for n in PASSWORD_NAMES]
    tokens = [
        ("S3_KEY", "AKIA" + _rand(16, string.ascii_uppercase + string.digits)),
        ("AWS_ACCESS_KEY_ID", "AKIA" + _rand(16, string.ascii_uppercase + string.digits)),
        ("AWS_SECRET_ACCESS_KEY", _rand(40, _ALNUM + "/+")),
        ("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjE" + _rand(120, _ALNUM + "/+")),
        ("MINIO_ACCESS", "ASIA" + _rand(16, string.ascii_uppercase + string.digits)),
        ("GOOGLE_MAPS", "AIza" + _rand(35, _ALNUM + "_-")),
        ("FIREBASE_CONFIG_KEY", "AIza" + _rand(35, _ALNUM + "_-")),
        ("DO_TOKEN", "dop_v1_" + _hex(64)),
        ("DIGITALOCEAN_ACCESS", "doo_v1_" + _hex(64)),
        ("GH", "ghp_" + _rand(36)),
        ("GITHUB_APP_INSTALL", "ghs_" + _rand(36)),
        ("CI_GITHUB", "github_pat_" + _rand(22) + "_" + _rand(59)),
        ("GL", "glpat-" + _rand(20, _ALNUM + "-_")),
        ("RUNNER_REGISTRATION", "glrt-" + _rand(20, _ALNUM + "-_")),
        ("SLACK_BOT", "xoxb-" + _rand(12, string.digits) + "-" + _rand(13, string.digits) + "-"
         + _rand(24)),
        ("SLACK_USER", "xoxp-" + _rand(12, string.digits) + "-" + _rand(24)),
        ("STRIPE_KEY", "sk_live_" + _rand(24)),
        ("STRIPE", "rk_live_" + _rand(24)),
        ("STRIPE_TEST", "sk_test_" + _rand(24)),
        ("STRIPE_WEBHOOK", "whsec_" + _rand(32)),
        ("NPM", "npm_" + _rand(36)),
        ("TWINE", "pypi-AgEIcHlwaS5vcmc" + _rand(60, _ALNUM + "-_")),
        ("OPENAI", "sk-proj-" + _rand(48, _ALNUM + "-_")),
        ("OPENAI_LEGACY", "sk-" + _rand(48)),
        ("CLAUDE", "sk-ant-api03-" + _rand(80, _ALNUM + "-_")),
        ("SENDGRID", "SG." + _rand(22, _ALNUM + "-_") + "." + _rand(43, _ALNUM + "-_")),
        ("TWILIO_SID_KEY", "SK" + _hex(32)),
        ("MAILGUN", "key-" + _hex(32)),
        ("HF", "hf_" + _rand(34)),
        ("SERVICE_JWT", "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMifQ." + _rand(43)),
        ("INTERNAL_AUTH", "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhcGkiLCJleHAiOjE3MDB9." + _rand(43)),
        ("ALERTS", "https://hooks.slack.com/services/T" + _rand(8, string.ascii_uppercase)
         + "/B" + _rand(10, string.ascii_uppercase) + "/" + _rand(24)),
        ("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0" + _rand(7).upper() + "/B0"
         + _rand(9).upper() + "/" + _rand(24)),
        ("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/" + _rand(18, string.digits)
         + "/" + _rand(68, _ALNUM + "-_")),
        ("TEAMS_WEBHOOK_URL", "https://acme.webhook.office.com/webhookb2/" + _hex(8) + "-"
         + _hex(4) + "@" + _hex(8) + "/IncomingWebhook/" + _hex(32) + "/" + _hex(8)),
        ("TLS_KEY", _pem("PRIVATE KEY")),
        ("SERVER_KEY_PEM", _pem("RSA PRIVATE KEY")),
        ("SSH_PRIVATE", _pem("OPENSSH PRIVATE KEY")),
        ("EC_KEY", _pem("EC PRIVATE KEY")),
        ("TLS_KEY_B64", base64.b64encode(_pem("PRIVATE KEY").encode()).decode()),
        ("GOOGLE_CREDENTIALS_JSON", json.dumps({
            "type": "service_account", "project_id": "shop-prod",
            "private_key_id": _hex(40), "private_key": _pem("PRIVATE KEY"),
            "client_email": "api@shop-prod.iam.gserviceaccount.com"})),
        ("AUTHORIZATION", "Bearer " + _rand(40)),
        ("UPSTREAM_AUTHORIZATION", "Basic " + base64.b64encode(b"app:" + _rand(12).encode())
         .decode()),
        ("GITHUB_AUTH_HEADER_VALUE", "token ghx" + _rand(36)),
        ("DOCKER_AUTH_CONFIG", json.dumps({"auths": {"registry.acme.io": {
            "auth": base64.b64encode(b"ci:" + _rand(16).encode()).decode()}}})),
        ("NPM_CONFIG", "//registry.npmjs.org/:_authToken=" + _hex(8) + "-" + _hex(4) + "-"
         + _hex(4) + "-" + _hex(4) + "-" + _hex(12)),
        ("NPMRC", "registry=https://npm.acme.io/\n//npm.acme.io/:_auth=" + _b64(18)),
        ("JAVA_TOOL_OPTIONS", "-Xmx512m -Djavax.net.ssl.keyStorePassword=" + _rand(12)),
        ("JAVA_OPTS", "-Dspring.datasource.password=" + _rand(14) + " -Duser.timezone=UTC"),
        ("CATALINA_OPTS", "-Djavax.net.ssl.trustStorePassword=changeit"),
        ("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule "
         f'required username="orders" password="{_rand(16)}";'),
        ("KAFKA_JAAS", "org.apache.kafka.common.security.scram.ScramLoginModule required "
         f'username="app" password="{_rand(20)}";'),
        ("SENTRY_DSN", f"https://{_hex(32)}@o{_rand(6, string.digits)}.ingest.sentry.io/"
         + _rand(7, string.digits)),
        ("AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=shopdata;"
         f"AccountKey={_b64(64)};EndpointSuffix=core.windows.net"),
        ("SERVICEBUS", "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName="
         f"RootManageSharedAccessKey;SharedAccessKey={_b64(32)}"),
        ("BLOB_SAS_URL", "https://shop.blob.core.windows.net/media?sv=2022-11-02&ss=b&srt=o"
         f"&sp=r&se=2026-01-01&sig={_b64(32).replace('+', '%2B')}"),
        ("WEBHOOK", f"https://api.acme.io/hooks/deploy?token={_rand(32)}"),
        ("METRICS_PUSH", f"https://metrics.acme.io/push?api_key={_hex(32)}"),
    ]
    cases += [Case(n, v, True, "token-format") for n, v in tokens]
    urls = [
        ("DATABASE_URL", "postgres://app:{p}@db:5432/app"),
        ("DATABASE_URL", "postgresql://orders:{p}@orders-db.internal:5432/orders?sslmode=require"),
        ("REDIS_URL", "redis://:{p}@redis:6379/0"),
        ("CELERY_BROKER_URL", "redis://default:{p}@cache:6379/1"),
        ("AMQP_URL", "amqp://guest:{p}@rabbitmq:5672/"),
        ("RABBITMQ_URI", "amqps://app:{p}@mq.acme.io:5671/prod"),
        ("MONGO_URI", "mongodb+srv://api:{p}@cluster0.ab1cd.mongodb.net/shop"),
        ("MONGODB_URL", "mongodb://root:{p}@mongo:27017/admin"),
        ("ELASTICSEARCH_URL", "https://elastic:{p}@es:9200"),
        ("SMTP_URL", "smtp://mailer:{p}@mail.acme.io:587"),
        ("MYSQL_DSN", "mysql://wp:{p}@mysql:3306/wordpress"),
        ("DB", "mysql+pymysql://app:{p}@db/app"),
        ("SQLALCHEMY_DATABASE_URI", "postgresql+psycopg2://flask:{p}@pg/flask"),
        ("JDBC_URL", "jdbc:postgresql://db:5432/app?user=app&password={p}"),
        ("SPRING_DATASOURCE_URL", "jdbc:mysql://app:{p}@mysql:3306/app"),
        ("MSSQL", "Server=sql,1433;Database=shop;User Id=sa;Password={p};"),
        ("ConnectionStrings__Default", "Host=pg;Database=app;Username=app;Password={p}"),
        ("ODBC_CONN", "Driver={{ODBC Driver 18 for SQL Server}};Server=sql;UID=app;PWD={{{p}}};"),
        ("PG_CONN", "host=db port=5432 dbname=app user=app password={p}"),
        ("NATS_URL", "nats://app:{p}@nats:4222"),
        ("MQTT_URL", "mqtts://device:{p}@broker:8883"),
        ("FTP_URL", "ftp://deploy:{p}@files.acme.io/"),
        ("CLICKHOUSE_URL", "clickhouse://default:{p}@ch:9000/default"),
        ("PROXY", "http://proxyuser:{p}@proxy.acme.io:3128"),
        ("ARTIFACTORY", "https://ci:{p}@acme.jfrog.io/artifactory/api/pypi/simple"),
        ("DATABASE_URL", "postgres://$(PGUSER):{p}@db/app"),
        ("LDAP_URI", "ldaps://cn=admin,dc=acme:{p}@ldap:636"),
        ("CASSANDRA", "cassandra://app:{p}@cassandra:9042/ks"),
    ]
    cases += [Case(n, v.format(p=next(pw)), True, "credential-url") for n, v in urls]
    return cases


def _look_alikes() -> list[Case]:
    refs = [
        ("DATABASE_URL", "postgres://$(PGUSER):$(PGPASSWORD)@db/app"),
        ("DB_PASSWORD", "$(POSTGRES_PASSWORD)"), ("API_KEY", "${API_KEY}"),
        ("JWT_SECRET", "${JWT_SECRET:?set it}"), ("API_TOKEN", "{{ .Values.apiToken }}"),
        ("REDIS_URL", "redis://:$(REDIS_PASSWORD)@redis:6379/0"),
        ("AMQP_URL", "amqp://$(RABBIT_USER):$(RABBIT_PASS)@rabbitmq:5672/"),
        ("DB_PASSWORD", "vault:secret/data/db#password"),
        ("STRIPE_KEY", "ref+awssm://prod/stripe#secret_key"),
        ("GITHUB_TOKEN", "ref+vault://secret/ci#github"),
        ("DB_PASSWORD_FILE", "/run/secrets/db_password"),
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"),
        ("TLS_KEY", "/etc/tls/tls.key"), ("SSL_KEY", "/etc/ssl/private/server.key"),
        ("SECRET_KEY", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf"),
        ("SMTP_PASSWORD", "op://infra/smtp/password"),
        ("MYSQL_PASSWORD", "$MYSQL_PASSWORD"),
        ("JAVA_OPTS", "-Dspring.datasource.password=$(DB_PASSWORD) -Xmx1g"),
        ("AUTHORIZATION", "Bearer $(API_TOKEN)"),
        ("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule "
         'required username="app" password="${KAFKA_PASSWORD}";'),
        ("MSSQL", "Server=sql;Database=shop;User Id=sa;Password=$(SA_PASSWORD);"),
        ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app"),
        ("JDBC_URL", "jdbc:postgresql://db/app?user=app&password=$(DB_PASSWORD)"),
        ("MONGO_URI", "mongodb://$(MONGO_USER):$(MONGO_PASS)@mongo:27017"),
        ("CLIENT_SECRET", "$(OIDC_CLIENT_SECRET)"), ("DB_PW", "${DB_PW}"),
        ("BASIC_AUTH", "$(HTTP_USER):$(HTTP_PASS)"),
        ("SECRET_KEY", "{{ secret_key }}"),
        ("AWS_ACCESS_KEY_ID", "${AWS_ACCESS_KEY_ID}"),
        ("NPM_TOKEN", "${NPM_TOKEN}"),
        ("SSH_KEY", "~/.ssh/id_ed25519"),
        ("KEYSTORE", "./certs/keystore.p12"),
        ("VAULT_TOKEN_PATH", "/var/run/secrets/vault/token"),
        ("API_KEY", "projects/shop/secrets/api-key/versions/latest"),
    ]
    cases = [Case(n, v, False, "reference") for n, v in refs]
    urls = [
        ("REDIS_URL", "redis://redis:6379/0"), ("DATABASE_URL", "postgres://db:5432/app"),
        ("AMQP_URL", "amqp://rabbitmq:5672"), ("API_URL", "http://api:8080/v1"),
        ("MONGO_URL", "mongodb://mongo:27017/app"), ("ELASTICSEARCH_HOSTS", "http://es:9200"),
        ("JDBC_URL", "jdbc:postgresql://db:5432/app"),
        ("KAFKA_BROKERS", "kafka-0:9092,kafka-1:9092"),
        ("PASSWORD_RESET_URL", "https://shop.acme.io/account/reset"),
        ("OAUTH_TOKEN_URL", "https://auth.acme.io/oauth/token"),
        ("TOKEN_ENDPOINT", "https://kc.acme.io/realms/shop/protocol/openid-connect/token"),
        ("JWKS_URI", "https://auth.acme.io/.well-known/jwks.json"),
        ("DATABASE_DSN", "postgres://db:5432/app?sslmode=disable"),
        ("VAULT_ADDR", "https://vault.acme.io:8200"), ("SECRETS_MANAGER_ENDPOINT", "http://localstack:4566"),
        ("WEBHOOK_URL", "https://ci.acme.io/hooks/build"),
        ("AUTH_SERVER", "https://auth.acme.io"), ("ME_URL", "http://api:8080/users/@me"),
        ("MAIL_FROM", "noreply@acme.io"), ("ADMIN_EMAIL", "ops@acme.io"),
        ("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/"),
        ("PIP_INDEX_URL", "https://pypi.org/simple"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4317"),
        ("KEYCLOAK_URL", "http://keycloak:8080/auth"), ("S3_ENDPOINT", "http://minio:9000"),
        ("SENTRY_URL", "https://sentry.io/"), ("TOKEN_SERVICE", "http://tokens:9000"),
        ("REDIS_SENTINELS", "sentinel-0:26379,sentinel-1:26379"),
        ("GIT_REPO", "git@github.com:acme/shop.git"),
        ("BROKER_URL", "amqp://rabbitmq//"),
    ]
    cases += [Case(n, v, False, "url-without-password") for n, v in urls]
    settings = [
        ("PASSWORD_MIN_LENGTH", "12"), ("API_KEY_HEADER", "X-Api-Key"),
        ("TOKENIZER_MODEL", "bert-base"), ("MAX_TOKENS", "4096"), ("TOKEN_TTL", "3600"),
        ("TOKEN_EXPIRY", "1h"), ("JWT_ALGORITHM", "HS256"),
        ("JWT_ISSUER", "https://auth.acme.io"), ("JWT_AUDIENCE", "shop-api"),
        ("SESSION_COOKIE_NAME", "sid"), ("AUTH_ENABLED", "true"), ("AUTH_PROVIDER", "keycloak"),
        ("AUTH_TYPE", "oidc"), ("SECRET_STORE", "vault"), ("SECRETS_BACKEND", "aws"),
        ("PASSWORD_HASHER", "argon2"), ("KEY_ROTATION_DAYS", "90"),
        ("POSTGRES_HOST_AUTH_METHOD", "trust"), ("REDIS_AUTH_ENABLED", "false"),
        ("API_KEY_ID", "k-7f3a"), ("CSRF_COOKIE_NAME", "csrftoken"), ("TOKEN_LENGTH", "32"),
        ("PASSWORD_REQUIRE_UPPERCASE", "true"), ("SECRET_SCANNING", "enabled"),
        ("PASS_THRESHOLD", "0.8"), ("BYPASS_CACHE", "true"), ("PASSTHROUGH", "1"),
        ("CACHE_KEY_PREFIX", "shop:"), ("ROUTING_KEY", "orders.created"),
        ("PARTITION_KEY", "customer_id"), ("SORT_KEY", "created_at"),
        ("IDEMPOTENCY_KEY_HEADER", "Idempotency-Key"), ("PRIMARY_KEY", "id"),
        ("ENCRYPTION_ENABLED", "true"), ("ENCRYPTION_KEY_ID", "alias/shop-app"),
        ("KMS_KEY_ARN", "arn:aws:kms:eu-west-1:123456789012:key/1b2c3d4e"),
        ("SIGNING_KEY_PATH", "/keys/signing.pem"), ("AUTH_HEADER", "Authorization"),
        ("AUTH_SCHEME", "Bearer"), ("TOKEN_PREFIX", "Bearer "), ("API_KEY_PREFIX", "sk_"),
        ("PASSWORD_POLICY", "min=12,upper=1,digit=1"), ("SMTP_AUTH", "login"),
        ("KAFKA_SASL_MECHANISM", "PLAIN"), ("SECURITY_PROTOCOL", "SASL_SSL"),
        ("SESSION_TIMEOUT", "30m"), ("SESSION_STORE", "redis"), ("TOKEN_REFRESH_INTERVAL", "5m"),
        ("PASSWORD_RESET_TIMEOUT", "86400"), ("MAX_LOGIN_ATTEMPTS", "5"),
        ("OAUTH_SCOPES", "openid profile email"), ("OIDC_CLIENT_ID", "shop-web"),
        ("GOOGLE_CLIENT_ID", "123456789012-abc1def2ghi3.apps.googleusercontent.com"),
        ("AWS_REGION", "eu-west-1"), ("S3_BUCKET", "acme-shop-media"),
        ("KEYCLOAK_REALM", "shop"), ("SECRET_NAME", "shop-db"), ("TOKEN_AUDIENCE", "api"),
        ("CREDENTIALS_PROVIDER", "env"), ("AUTH_MODE", "token"), ("PWD", "/app"),
        ("OLDPWD", "/"), ("BCRYPT_ROUNDS", "12"), ("PASSWORD_SALT_ROUNDS", "10"),
        ("HASH_ALGORITHM", "sha256"), ("JWT_EXPIRES_IN", "7d"), ("TOKEN_CACHE_SIZE", "10000"),
        ("SECRET_CACHE_TTL", "300"), ("MAX_UPLOAD_SIZE", "10Mi"), ("PASSWORD_AUTH", "false"),
        ("TOKEN_AUTH", "true"), ("API_KEY_REQUIRED", "yes"), ("ANONYMOUS_AUTH", "off"),
        ("KEY", "orders"), ("CACHE_KEY", "v2"), ("LOCK_KEY", "migrations"),
        ("OBJECT_KEY", "uploads/"), ("QUEUE_KEY", "jobs"),
        ("NODE_ENV", "production"), ("LOG_LEVEL", "info"), ("TZ", "UTC"), ("WORKERS", "4"),
        ("DEBUG", "false"), ("JAVA_OPTS", "-Xmx512m -XX:+UseG1GC"),
        ("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=/etc/ssl/truststore.jks"),
        ("SPRING_PROFILES_ACTIVE", "prod"), ("CORS_ORIGINS", "https://shop.acme.io"),
        ("WELCOME_MESSAGE", "Forgot your password? Reset it from the login page."),
        ("FEATURE_FLAGS", base64.b64encode(b'{"checkout_v2": true}').decode()),
        ("GUNICORN_CMD_ARGS", "--bind=0.0.0.0:8000 --workers=3"),
        ("NGINX_ENTRYPOINT_QUIET_LOGS", "1"), ("DB_USER", "app"), ("DB_NAME", "shop"),
        ("DB_HOST", "db"), ("DB_PORT", "5432"), ("SMTP_USER", "apikey"),
        ("REDIS_USERNAME", "default"), ("RABBITMQ_DEFAULT_USER", "shop"),
        ("MONGO_INITDB_ROOT_USERNAME", "root"), ("PASSWORD_FIELD", "password"),
        ("TOKEN_PARAM", "access_token"), ("AUTH_COOKIE_DOMAIN", ".acme.io"),
    ]
    cases += [Case(n, v, False, "setting") for n, v in settings]
    public = [
        ("TLS_CERT", _pem("CERTIFICATE")), ("CA_BUNDLE", _pem("CERTIFICATE")),
        ("JWT_PUBLIC_KEY", _pem("PUBLIC KEY")), ("SIGNING_KEY", _pem("PUBLIC KEY")),
        ("SSH_PUBLIC_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _rand(43) + " ci@acme"),
        ("SSH_KEY", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + _rand(80) + " deploy@acme"),
        ("AUTHORIZED_KEYS", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _rand(43)),
        ("VAPID_PUBLIC_KEY", "B" + _rand(86, _ALNUM + "-_")),
        ("STRIPE_PUBLISHABLE_KEY", "pk_live_" + _rand(24)),
        ("NEXT_PUBLIC_STRIPE_KEY", "pk_test_" + _rand(24)),
        ("RECAPTCHA_SITE_KEY", "6L" + _rand(38, _ALNUM + "-_")),
        ("GPG_PUBLIC_KEY", _pem("PGP PUBLIC KEY BLOCK")),
    ]
    cases += [Case(n, v, False, "public-material") for n, v in public]
    ids = [
        ("IMAGE_DIGEST", "sha256:" + _hex(64)), ("GIT_SHA", _hex(40)), ("GIT_COMMIT", _hex(40)),
        ("BUILD_ID", f"{_hex(8)}-{_hex(4)}-{_hex(4)}-{_hex(4)}-{_hex(12)}"),
        ("CONFIG_HASH", _hex(32)), ("RELEASE", "1.4.2+" + _hex(7)),
        ("INSTANCE_ID", f"i-{_hex(17)}"), ("TENANT_ID", f"{_hex(8)}-{_hex(4)}-{_hex(4)}-"
                                                       f"{_hex(4)}-{_hex(12)}"),
        ("AZURE_CLIENT_ID", f"{_hex(8)}-{_hex(4)}-{_hex(4)}-{_hex(4)}-{_hex(12)}"),
        ("GA_MEASUREMENT_ID", "G-" + _rand(10, string.ascii_uppercase + string.digits)),
        ("SENTRY_RELEASE", "shop@" + _hex(12)), ("CHECKSUM", "md5:" + _hex(32)),
        ("ETAG_SALT_VERSION", "3"), ("DEPLOYMENT_ID", _rand(12, string.ascii_lowercase)),
        ("KEY_ID", "2024-06"), ("ACCESS_KEY_ID", "minio"),
        ("TRACE_SAMPLER_ARG", "0.1"), ("INTEGRITY", "sha384-" + _b64(48)),
    ]
    cases += [Case(n, v, False, "hash-or-id") for n, v in ids]
    return cases


def corpus() -> list[Case]:
    """The labelled corpus (the same on every call)."""
    global _rng
    _rng = random.Random(25)
    return _credentials() + _look_alikes()


# --- the decisions ------------------------------------------------------------------------------

Decide = Callable[[Sequence[Case]], list[bool]]


def _dump(data: Any) -> str:
    # JSON is YAML, and every value stays a quoted string.
    return json.dumps(data, indent=1)


def _moved(values: dict[str, Any], cid: str, var: str) -> bool:
    containers = values["components"][cid]["containers"]
    container = next(iter(containers.values()))
    return var in container.get("secretEnv", {})


def decide_compose(cases: Sequence[Case]) -> list[bool]:
    """Whether `svcgen values` on a Compose file moves each variable into a Secret."""
    from svcgen.readers.base import ReadOptions
    from svcgen.values_cmd import generate

    services = {f"s{i}": {"image": "ghcr.io/acme/app:1.0",
                          "environment": {c.name: c.value.replace("$", "$$")}}
                for i, c in enumerate(cases)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compose.yaml"
        path.write_text(_dump({"services": services}))
        values, _, _ = generate([str(path)], ReadOptions(environ={}))
    return [_moved(values, f"s{i}", c.name) for i, c in enumerate(cases)]


def decide_devspace(cases: Sequence[Case]) -> list[bool]:
    """Whether the DevSpace reader moves each variable of a component's values."""
    from svcgen.readers.base import ReadOptions
    from svcgen.readers.devspace import READER

    out = []
    docs = []
    for i, c in enumerate(cases):
        text = _dump({"containers": [{"image": "ghcr.io/acme/app:1.0",
                                       "env": [{"name": c.name, "value": c.value}]}]})
        docs += READER.loader(f"s{i}.yaml", text)
    values = READER.read(docs, ReadOptions(environ={})).values
    for i, c in enumerate(cases):
        out.append(_moved(values, f"s{i}", c.name))
    return out


def decide_spacecloud(cases: Sequence[Case]) -> list[bool]:
    """Whether the Space Cloud reader moves each variable of a task's env."""
    from svcgen.readers.base import ReadOptions
    from svcgen.readers.spacecloud import READER
    from svcgen.yamlio import load_documents

    docs = []
    for i, c in enumerate(cases):
        docs.append(_dump({
            "api": "/v1/runner/{project}/services/{id}/{version}", "type": "service",
            "meta": {"project": "shop", "id": f"s{i}", "version": "v1"},
            "spec": {"tasks": [{"id": "app", "docker": {"image": "ghcr.io/acme/app:1.0"},
                                "env": {c.name: c.value}}]}}))
    values = READER.read(load_documents("services.yaml", "\n---\n".join(docs)),
                         ReadOptions(environ={})).values
    return [_moved(values, f"s{i}", c.name) for i, c in enumerate(cases)]


def decide_lint(cases: Sequence[Case]) -> list[bool]:
    """Whether `svcgen lint` reports SVC601 for each variable written in plain env."""
    from svcgen.lint import Linter

    components = {f"s{i}": {"containers": {"app": {
        "image": {"repository": "ghcr.io/acme/app", "tag": "1.0"},
        "env": {c.name: c.value}}}} for i, c in enumerate(cases)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "values.yaml"
        path.write_text(_dump({"components": components}))
        result = Linter().lint_files([str(path)])
    flagged = {d.path.split(".")[1] for d in result.diagnostics if d.rule == "SVC601"}
    return [f"s{i}" in flagged for i in range(len(cases))]


def decide_detect_secrets(cases: Sequence[Case]) -> list[bool]:
    """Whether detect-secrets (all default plugins and filters) reports each variable's line of
    a compose.yaml holding the corpus, the way it scans the files a stack keeps in Git."""
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    lines = ["services:"]
    where = []
    for i, c in enumerate(cases):
        lines += [f"  s{i}:", "    environment:", f"      {c.name}: {json.dumps(c.value)}"]
        where.append(len(lines))
    with tempfile.TemporaryDirectory() as tmp, default_settings():
        path = Path(tmp) / "compose.yaml"
        path.write_text("\n".join(lines) + "\n")
        hits = {found.line_number for found in scan_file(str(path))}
    return [line in hits for line in where]


DECIDERS: dict[str, Decide] = {
    "compose": decide_compose,
    "devspace": decide_devspace,
    "spacecloud": decide_spacecloud,
    "lint": decide_lint,
}


@dataclass(frozen=True)
class Confusion:
    found: int  # credentials flagged
    missed: int  # credentials left in plain env
    false_alarms: int  # look-alikes flagged
    left_alone: int  # look-alikes left alone

    @property
    def recall(self) -> float:
        return self.found / max(1, self.found + self.missed)

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / max(1, self.false_alarms + self.left_alone)


def confusion(cases: Sequence[Case], decisions: Sequence[bool]) -> Confusion:
    pairs = list(zip(cases, decisions, strict=True))
    return Confusion(
        found=sum(1 for c, d in pairs if c.secret and d),
        missed=sum(1 for c, d in pairs if c.secret and not d),
        false_alarms=sum(1 for c, d in pairs if not c.secret and d),
        left_alone=sum(1 for c, d in pairs if not c.secret and not d),
    )


def describe(case: Case) -> str:
    """A case for a failure message: its name and kind, never its value."""
    return textwrap.shorten(f"{case.name} ({case.kind})", 60)
