"""Security: secrets in plain sight, privileges, root."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, containers
from svcgen.readers._common import key_material
from svcgen.secrets import detect, explain_patterns


def secret_in_env(ctx: Context) -> Iterator[Finding]:
    """Values files live in git, in CI logs and in ``helm get values``. A variable named like a
    password, token or key (PASSWORD, DB_PW, REDIS_AUTH, SESSION_KEY, …) with a literal value,
    or a value that is a credential whatever its name (a known token format, a private key, a
    URL or connection string with a password in it), publishes the secret to everyone who can
    read any of those. The readers move exactly these variables into Secrets: lint and readers
    share one detector, listed below. The value itself is never printed by the lint.

    Example fix: read it from a Secret.

        secretEnv: {DB_PASSWORD: {secret: db, key: password}}   # instead of env.DB_PASSWORD
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            for var, value in c.env.items():
                if isinstance(value, bool) or str(value) == "":
                    continue
                where = (*base(cid), section, name, "env", var)
                found = detect(var, value)
                if found is None:
                    continue
                if found.by_value:
                    yield Finding(where, f"{found.describe(var)} in a plain value",
                                  "read it from a Secret as a whole, or build it from a "
                                  "secretEnv variable with $(VAR)")
                else:
                    yield Finding(where, f"{found.describe(var)} but has a plain value",
                                  f"move it to `secretEnv.{var}` with a reference to a Secret")


# `svcgen explain SVC601` lists the detector's rules: they are data in svcgen.secrets.
secret_in_env.__doc__ = (inspect.cleandoc(secret_in_env.__doc__ or "") + "\n\n"
                         + explain_patterns())
rule("SVC601", "secret-in-env", Severity.ERROR,
     "A secret-looking variable holds a plain value")(secret_in_env)


@rule("SVC602", "inline-secret-value", Severity.WARNING, "secretEnv holds an inline value")
def inline_secret_value(ctx: Context) -> Iterator[Finding]:
    """``secretEnv.X.value`` is rendered into a Secret the chart owns: better than a plain
    variable, but the value still sits in the values file, in git and in the Helm release.
    Fine for a throwaway demo; for anything else reference a Secret managed elsewhere
    (sealed-secrets, external-secrets, SOPS).

    Example fix: reference an existing Secret.

        secretEnv: {API_TOKEN: {secret: api, key: token}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            for var, ref in c.secretEnv.items():
                if ref.value is not None:
                    yield Finding((*base(cid), section, name, "secretEnv", var, "value"),
                                  f"{var} has an inline value, stored in the values and the "
                                  "release", "reference a Secret: {secret: NAME, key: KEY}",
                                  key=True)


@rule("SVC611", "secret-checksum-unsalted", Severity.WARNING,
      "Inline secretEnv values without global.secretChecksumSalt")
def secret_checksum_unsalted(ctx: Context) -> Iterator[Finding]:
    """A change of an inline secretEnv value must roll the pods, so the chart puts a checksum of
    those values on each pod; a plain hash of a short password would give the password away to
    anyone who may read pod specs. Without a salt the chart stretches the data with scrypt, which
    costs about 0.1 s per component on every render (100 components: a quarter of a minute).
    A random salt kept beside the inline values makes one hash as safe (a guess needs the salt)
    and the render as fast as with plain env. `svcgen values --secret-values` writes one.

    Example fix: add a random salt (`openssl rand -hex 16`) to the file with the inline values.

        global: {secretChecksumSalt: 9c1f4e0b7a2d4c6e8f1a3b5d7e9f0a2c}
    """
    if ctx.values is None or ctx.values.global_.secretChecksumSalt:
        return
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            for var, ref in c.secretEnv.items():
                if ref.value is not None:
                    yield Finding((*base(cid), section, name, "secretEnv", var, "value"),
                                  "inline secret values without global.secretChecksumSalt: the "
                                  "chart stretches their checksum with scrypt on every render",
                                  "add `global: {secretChecksumSalt: <random, e.g. openssl rand "
                                  "-hex 16>}` beside the inline values", key=True)
                    return


_RESTRICTED_CAPS = {"NET_BIND_SERVICE"}


def _cap(name: str) -> str:
    return name.upper().removeprefix("CAP_")


@rule("SVC603", "added-capabilities", Severity.WARNING, "A container adds Linux capabilities")
def added_capabilities(ctx: Context) -> Iterator[Finding]:
    """Every added capability widens what a compromised process can do (``NET_ADMIN`` rewires
    the pod network, ``SYS_ADMIN`` is nearly root). Under the restricted profile only
    ``NET_BIND_SERVICE`` may be added (and is not reported); anything else means the pod no
    longer meets the profile it claims, and a namespace enforcing it rejects the pod: an error.

    Example fix: bind a port above 1024 instead of adding NET_BIND_SERVICE, drop the rest.

        securityContext: {capabilities: {add: []}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            caps = c.securityContext.capabilities
            # NET_BIND_SERVICE alone (ports below 1024) is what even the restricted profile admits.
            if caps is None or not [x for x in caps.add if _cap(x) not in _RESTRICTED_CAPS]:
                continue
            where = (*base(cid), section, name, "securityContext", "capabilities", "add")
            forbidden = [x for x in caps.add if _cap(x) not in _RESTRICTED_CAPS]
            if comp.securityProfile == "restricted":
                yield Finding(where, f"adds {', '.join(forbidden)}, which the restricted "
                              "profile forbids: a namespace enforcing it rejects the pod",
                              "remove it, or use securityProfile: baseline", key=True,
                              severity=Severity.ERROR)
            else:
                yield Finding(where, f"adds capabilities {', '.join(forbidden)}",
                              "remove what the process does not need", key=True)


@rule("SVC604", "privileged", Severity.ERROR, "A container runs privileged")
def privileged(ctx: Context) -> Iterator[Finding]:
    """A privileged container has every capability and every host device: escaping it is
    trivial, so it is as good as root on the node. Neither Pod Security profile the chart offers
    admits it.

    Example fix: remove it, and add the one capability really needed.

        securityContext: {privileged: false}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            if c.securityContext.privileged:
                yield Finding((*base(cid), section, name, "securityContext", "privileged"),
                              f"container `{name}` runs privileged",
                              "remove `privileged`; add only the capability needed")


_HOST_KEYS = ("hostPath", "hostNetwork", "hostPID", "hostIPC")


@rule("SVC605", "host-access", Severity.ERROR,
      "A hostPath volume or host namespace is requested", raw_only=True)
def host_access(ctx: Context) -> Iterator[Finding]:
    """``hostPath`` volumes and the host's network, PID or IPC namespaces tie a pod to one node
    and open the node to it; the chart does not render them. This rule names the key (the schema
    alone would only say "unknown key") and runs even when the values fail the schema.

    Example fix: a persistent volume instead of a host directory.

        volumes: {data: {size: 10Gi}}   # was hostPath: {path: /srv/data}
    """
    comps = ctx.raw.get("components")
    if not isinstance(comps, dict):
        return
    for cid, comp in comps.items():
        if not isinstance(comp, dict):
            continue
        for key in _HOST_KEYS[1:]:
            if key in comp:
                yield Finding((*base(str(cid)), key), f"`{key}` shares the node's namespace "
                              "with the pod; the chart does not support it",
                              f"remove `{key}`", key=True)
        vols = comp.get("volumes")
        if isinstance(vols, dict):
            for vname, vol in vols.items():
                if isinstance(vol, dict) and "hostPath" in vol:
                    yield Finding((*base(str(cid)), "volumes", vname, "hostPath"),
                                  f"volume `{vname}` is a hostPath: it exposes the node's files "
                                  "and pins the pod to one node; the chart does not support it",
                                  "use `size:` (a persistent volume) or `emptyDir: {}`", key=True)


@rule("SVC606", "runs-as-root", Severity.WARNING, "A container or pod runs as user 0")
def runs_as_root(ctx: Context) -> Iterator[Finding]:
    """``runAsUser: 0`` runs the process as root: a container escape lands as root on the
    node. Under the restricted profile the chart also sets ``runAsNonRoot``, so the kubelet
    refuses to start the container at all (an error).

    Example fix: run as the image's unprivileged user.

        securityContext: {runAsUser: 10001}
    """
    for cid, comp in ctx.components():
        restricted = comp.securityProfile == "restricted"
        sev = Severity.ERROR if restricted else None
        why = (": with the restricted profile the container will not start" if restricted
               else "")
        if comp.podSecurityContext.get("runAsUser") == 0:
            yield Finding((*base(cid), "podSecurityContext", "runAsUser"),
                          f"the pod runs as root{why}", "set a non-zero runAsUser",
                          severity=sev)
        for section, name, c in containers(comp):
            if c.securityContext.runAsUser == 0:
                yield Finding((*base(cid), section, name, "securityContext", "runAsUser"),
                              f"container `{name}` runs as root{why}",
                              "set a non-zero runAsUser", severity=sev)


@rule("SVC607", "baseline-profile", Severity.INFO,
      "A component uses the baseline security profile")
def baseline_profile(ctx: Context) -> Iterator[Finding]:
    """``securityProfile: baseline`` lets an image start as root with a writable root
    filesystem: the right choice for images that need it (converters pick it when the input does
    not say the service runs as non-root), but worth revisiting: most images run fine as any
    user once their writable paths are volumes.

    Example fix: run as non-root and go back to restricted.

        securityProfile: restricted
        containers: {app: {securityContext: {runAsUser: 10001}}}
    """
    for cid, comp in ctx.components():
        if comp.securityProfile == "baseline":
            yield Finding((*base(cid), "securityProfile"),
                          f"component `{cid}` may run as root (baseline profile)",
                          "use `restricted` once the image runs as a non-root user")


@rule("SVC608", "privilege-escalation", Severity.WARNING,
      "A container allows privilege escalation")
def privilege_escalation(ctx: Context) -> Iterator[Finding]:
    """``allowPrivilegeEscalation: true`` lets setuid binaries (``sudo``, ``su``, ``ping`` on
    old images) gain root inside the container. The restricted profile forbids it: the pod no
    longer meets the profile it claims, and a namespace enforcing it rejects the pod (an error).

    Example fix: leave it at the profile's default (false).

        securityContext: {allowPrivilegeEscalation: false}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            if c.securityContext.allowPrivilegeEscalation:
                restricted = comp.securityProfile == "restricted"
                yield Finding((*base(cid), section, name, "securityContext",
                               "allowPrivilegeEscalation"),
                              f"container `{name}` allows privilege escalation"
                              + (", which the restricted profile forbids" if restricted else ""),
                              "remove it", severity=Severity.ERROR if restricted else None)


@rule("SVC609", "key-material-in-files", Severity.ERROR,
      "A `files` volume holds a private key or a credentials file")
def key_material_in_files(ctx: Context) -> Iterator[Finding]:
    """A ``files`` volume is rendered into a ConfigMap: readable by everyone who may read
    ConfigMaps in the namespace, shown by ``kubectl describe``, stored unencrypted, and kept in
    the values file (git, CI logs, ``helm get values``). A private key (``*.pem``, ``*.key``,
    ``id_*``, a ``-----BEGIN … PRIVATE KEY-----`` block) or a dotenv file there is published.

    Example fix: keep the key in a Secret and mount that.

        volumes: {tls: {secret: {secretName: api-tls}}}   # instead of files: {tls.key: ...}
    """
    for cid, comp in ctx.components():
        for vname, volume in comp.volumes.items():
            for fname, content in (volume.files or {}).items():
                if key_material(fname, content):
                    yield Finding((*base(cid), "volumes", vname, "files", fname),
                                  f"volume `{vname}` holds `{fname}`, which is key material, in "
                                  "a ConfigMap", "move it to a Secret and mount it with "
                                  "`secret: {secretName: ...}`", key=True)


#: What the restricted Pod Security Standard allows (kubernetes.io/docs/concepts/security/
#: pod-security-standards), for the fields podSecurityContext passes through unchecked.
_PROFILE_TYPES = ("RuntimeDefault", "Localhost")
_SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t",
                  "container_engine_t")
_SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
})


def _pod_violations(sc: dict[str, object]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path inside podSecurityContext, what breaks the restricted standard)."""
    for field, what in (("seccompProfile", "seccomp"), ("appArmorProfile", "AppArmor")):
        profile = sc.get(field)
        kind = profile.get("type") if isinstance(profile, dict) else None
        if kind is not None and kind not in _PROFILE_TYPES:
            yield (field, "type"), f"{what} profile `{kind}` (only RuntimeDefault or Localhost)"
    selinux = sc.get("seLinuxOptions")
    if isinstance(selinux, dict):
        if selinux.get("type", "") not in _SELINUX_TYPES:
            yield ("seLinuxOptions", "type"), f"SELinux type `{selinux['type']}`"
        for field in ("user", "role"):
            if selinux.get(field):
                yield ("seLinuxOptions", field), f"a custom SELinux {field}"
    windows = sc.get("windowsOptions")
    if isinstance(windows, dict) and windows.get("hostProcess"):
        yield ("windowsOptions", "hostProcess"), "a Windows HostProcess pod"
    sysctls = sc.get("sysctls")
    for i, item in enumerate(sysctls if isinstance(sysctls, list) else []):
        name = item.get("name") if isinstance(item, dict) else None
        if name not in _SAFE_SYSCTLS:
            yield ("sysctls", i), f"the unsafe sysctl `{name}`"
    if sc.get("runAsNonRoot") is False:
        yield ("runAsNonRoot",), "runAsNonRoot: false"


@rule("SVC610", "restricted-profile-broken", Severity.ERROR,
      "A security context breaks the restricted profile the component claims")
def restricted_profile_broken(ctx: Context) -> Iterator[Finding]:
    """``securityProfile: restricted`` promises the Pod Security Standard *restricted*; the
    chart sets its defaults, then merges ``podSecurityContext`` and each container's
    ``securityContext`` over them. An override the standard forbids (seccomp or AppArmor
    ``Unconfined``, an SELinux type, a Windows HostProcess pod, an unsafe sysctl, capabilities
    that do not drop ALL) silently weakens the pod, and a namespace enforcing the standard
    rejects it at deploy time.

    Example fix: remove the override, or choose the baseline profile on purpose.

        podSecurityContext: {seccompProfile: {type: RuntimeDefault}}   # not Unconfined
    """
    for cid, comp in ctx.components():
        if comp.securityProfile != "restricted":
            continue
        for path, what in _pod_violations(comp.podSecurityContext):
            yield Finding((*base(cid), "podSecurityContext", *path),
                          f"podSecurityContext sets {what}, which the restricted profile "
                          "forbids", "remove it, or set securityProfile: baseline on purpose")
        for section, name, c in containers(comp):
            caps = c.securityContext.capabilities
            if caps is not None and caps.drop is not None and "ALL" not in caps.drop:
                yield Finding((*base(cid), section, name, "securityContext", "capabilities",
                               "drop"),
                              f"container `{name}` does not drop ALL capabilities, which the "
                              "restricted profile requires", "remove `drop` (the default drops "
                              "ALL), or list ALL")
            if c.securityContext.runAsNonRoot is False:
                yield Finding((*base(cid), section, name, "securityContext", "runAsNonRoot"),
                              f"container `{name}` sets runAsNonRoot: false, which the "
                              "restricted profile forbids", "remove it")
