"""Images used by the sample, and the Trivy reports written for the scanned ones."""
from common import *

# ---- package sets --------------------------------------------------------------------------------------------------
DISTROLESS_STATIC = [("base-files", "12.4+deb12u7"), ("media-types", "10.0.0"), ("netbase", "6.4"), ("tzdata", "2024a-0+deb12u1")]
DISTROLESS_BASE = DISTROLESS_STATIC + [("ca-certificates", "20230311"), ("libc6", "2.36-9+deb12u8"), ("libssl3", "3.0.14-1~deb12u2")]
DISTROLESS_PYTHON = DISTROLESS_BASE + [("libbz2-1.0", "1.0.8-5+b1"), ("libcrypt1", "1:4.4.33-2"), ("libexpat1", "2.5.0-1+deb12u1"),
    ("libffi8", "3.4.4-1"), ("liblzma5", "5.4.1-0.2"), ("libpython3.11-minimal", "3.11.2-6+deb12u3"),
    ("libpython3.11-stdlib", "3.11.2-6+deb12u3"), ("libsqlite3-0", "3.40.1-2+deb12u1"), ("libuuid1", "2.38.1-5+deb12u1"),
    ("python3.11-minimal", "3.11.2-6+deb12u3"), ("zlib1g", "1:1.2.13.dfsg-1")]

ALPINE_310 = [("alpine-baselayout", "3.1.2-r0"), ("alpine-keys", "2.1-r2"), ("apk-tools", "2.10.4-r2"), ("busybox", "1.30.1-r2"),
    ("ca-certificates-cacert", "20190108-r0"), ("libc-utils", "0.7.1-r0"), ("libcrypto1.1", "1.1.1c-r0"), ("libssl1.1", "1.1.1c-r0"),
    ("libtls-standalone", "2.9.1-r0"), ("musl", "1.1.22-r3"), ("musl-utils", "1.1.22-r3"), ("scanelf", "1.2.3-r0"),
    ("ssl_client", "1.30.1-r2"), ("zlib", "1.2.11-r1")]

NGINX_ALPINE = [("alpine-baselayout", "3.4.0-r0"), ("alpine-baselayout-data", "3.4.0-r0"), ("alpine-keys", "2.4-r1"),
    ("apk-tools", "2.12.10-r1"), ("brotli-libs", "1.0.9-r9"), ("busybox", "1.35.0-r29"), ("busybox-binsh", "1.35.0-r29"),
    ("ca-certificates", "20220614-r4"), ("ca-certificates-bundle", "20220614-r4"), ("curl", "7.87.0-r1"),
    ("fontconfig", "2.14.1-r0"), ("freetype", "2.12.1-r0"), ("gd", "2.3.3-r3"), ("geoip", "1.6.12-r3"),
    ("libbz2", "1.0.8-r4"), ("libc-utils", "0.7.2-r3"), ("libcrypto3", "3.0.7-r2"), ("libcurl", "7.87.0-r1"),
    ("libexpat", "2.5.0-r0"), ("libgcc", "12.2.1_git20220924-r4"), ("libgcrypt", "1.10.1-r0"), ("libgd", "2.3.3-r3"),
    ("libgpg-error", "1.46-r1"), ("libintl", "0.21.1-r1"), ("libjpeg-turbo", "2.1.4-r0"), ("libpng", "1.6.38-r0"),
    ("libssl3", "3.0.7-r2"), ("libstdc++", "12.2.1_git20220924-r4"), ("libwebp", "1.2.4-r1"), ("libx11", "1.8.3-r0"),
    ("libxau", "1.0.10-r0"), ("libxcb", "1.15-r0"), ("libxdmcp", "1.1.4-r0"), ("libxml2", "2.10.3-r1"),
    ("libxpm", "3.5.15-r0"), ("libxslt", "1.1.37-r0"), ("musl", "1.2.3-r4"), ("musl-utils", "1.2.3-r4"),
    ("nghttp2-libs", "1.51.0-r0"), ("nginx", "1.23.3-r1"), ("pcre2", "10.42-r0"), ("scanelf", "1.3.5-r1"),
    ("ssl_client", "1.35.0-r29"), ("tiff", "4.4.0-r1"), ("tzdata", "2022f-r1"), ("xz-libs", "5.2.9-r0"),
    ("zlib", "1.2.13-r0")]

DEBIAN_BOOKWORM_FAT = [("adduser", "3.134"), ("apt", "2.6.1"), ("base-files", "12.4+deb12u5"), ("base-passwd", "3.6.1"),
    ("bash", "5.2.15-2+b2"), ("bsdutils", "1:2.38.1-5+b1"), ("ca-certificates", "20230311"), ("coreutils", "9.1-1"),
    ("curl", "7.88.1-10+deb12u5"), ("dash", "0.5.12-2"), ("debconf", "1.5.82"), ("debian-archive-keyring", "2023.3+deb12u1"),
    ("debianutils", "5.7-0.5~deb12u1"), ("diffutils", "1:3.8-4"), ("dpkg", "1.21.22"), ("e2fsprogs", "1.47.0-2"),
    ("findutils", "4.9.0-4"), ("gcc-12-base", "12.2.0-14"), ("gpgv", "2.2.40-1.1"), ("grep", "3.8-5"), ("gzip", "1.12-1"),
    ("hostname", "3.23+nmu1"), ("init-system-helpers", "1.65.2"), ("libacl1", "2.3.1-3"), ("libapr1", "1.7.2-3"),
    ("libaprutil1", "1.6.3-1"), ("libapt-pkg6.0", "2.6.1"), ("libargon2-1", "0~20171227-0.3+deb12u1"), ("libattr1", "1:2.5.1-4"),
    ("libaudit-common", "1:3.0.9-1"), ("libaudit1", "1:3.0.9-1"), ("libblkid1", "2.38.1-5+b1"), ("libbrotli1", "1.0.9-2+b6"),
    ("libbz2-1.0", "1.0.8-5+b1"), ("libc-bin", "2.36-9+deb12u4"), ("libc6", "2.36-9+deb12u4"), ("libcap-ng0", "0.8.3-1+b3"),
    ("libcap2", "1:2.66-4"), ("libcom-err2", "1.47.0-2"), ("libcrypt1", "1:4.4.33-2"), ("libcurl4", "7.88.1-10+deb12u5"),
    ("libdb5.3", "5.3.28+dfsg2-1"), ("libdebconfclient0", "0.270"), ("libext2fs2", "1.47.0-2"), ("libffi8", "3.4.4-1"),
    ("libgcc-s1", "12.2.0-14"), ("libgcrypt20", "1.10.1-3"), ("libgmp10", "2:6.2.1+dfsg1-1.1"), ("libgnutls30", "3.7.9-2+deb12u2"),
    ("libgpg-error0", "1.46-1"), ("libhogweed6", "3.8.1-2"), ("libidn2-0", "2.3.3-1+b1"), ("libldap-2.5-0", "2.5.13+dfsg-5"),
    ("liblz4-1", "1.9.4-1"), ("liblzma5", "5.4.1-0.2"), ("libmd0", "1.0.4-2"), ("libmount1", "2.38.1-5+b1"),
    ("libncursesw6", "6.4-4"), ("libnettle8", "3.8.1-2"), ("libnghttp2-14", "1.52.0-1+deb12u1"), ("libonig5", "6.9.8-1"),
    ("libp11-kit0", "0.24.1-2"), ("libpam-modules", "1.5.2-6+deb12u1"), ("libpam-modules-bin", "1.5.2-6+deb12u1"),
    ("libpam-runtime", "1.5.2-6+deb12u1"), ("libpam0g", "1.5.2-6+deb12u1"), ("libpcre2-8-0", "10.42-1"),
    ("libpsl5", "0.21.2-1"), ("librtmp1", "2.4+20151223.gitfa8646d.1-2+b2"), ("libsasl2-2", "2.1.28+dfsg-10"),
    ("libseccomp2", "2.5.4-1+b3"), ("libselinux1", "3.4-1+b6"), ("libsemanage2", "3.4-1+b5"), ("libsepol2", "3.4-2.1"),
    ("libsmartcols1", "2.38.1-5+b1"), ("libsodium23", "1.0.18-1"), ("libsqlite3-0", "3.40.1-2"), ("libss2", "1.47.0-2"),
    ("libssh2-1", "1.10.0-3+b1"), ("libssl3", "3.0.11-1~deb12u2"), ("libstdc++6", "12.2.0-14"), ("libsystemd0", "252.22-1~deb12u1"),
    ("libtasn1-6", "4.19.0-2"), ("libtinfo6", "6.4-4"), ("libudev1", "252.22-1~deb12u1"), ("libunistring2", "1.0-2"),
    ("libuuid1", "2.38.1-5+b1"), ("libxml2", "2.9.14+dfsg-1.3~deb12u1"), ("libxxhash0", "0.8.1-1"), ("libzstd1", "1.5.4+dfsg2-5"),
    ("login", "1:4.13+dfsg1-1+b1"), ("mawk", "1.3.4.20200120-3.1"), ("mount", "2.38.1-5+b1"), ("ncurses-base", "6.4-4"),
    ("ncurses-bin", "6.4-4"), ("openssl", "3.0.11-1~deb12u2"), ("passwd", "1:4.13+dfsg1-1+b1"), ("perl-base", "5.36.0-7+deb12u1"),
    ("sed", "4.9-1"), ("sysvinit-utils", "3.06-4"), ("tar", "1.34+dfsg-1.2+deb12u1"), ("tzdata", "2024a-0+deb12u1"),
    ("usr-is-merged", "37~deb12u1"), ("util-linux", "2.38.1-5+b1"), ("util-linux-extra", "2.38.1-5+b1"), ("zlib1g", "1:1.2.13.dfsg-1")]

DEBIAN_BUSTER = [("adduser", "3.118"), ("apt", "1.8.2"), ("base-files", "10.3+deb10u1"), ("base-passwd", "3.5.46"),
    ("bash", "5.0-4"), ("bsdutils", "1:2.33.1-0.1"), ("coreutils", "8.30-3"), ("dash", "0.5.10.2-5"), ("debconf", "1.5.71"),
    ("debian-archive-keyring", "2019.1"), ("debianutils", "4.8.6.1"), ("diffutils", "1:3.7-3"), ("dpkg", "1.19.7"),
    ("e2fsprogs", "1.44.5-1+deb10u2"), ("fdisk", "2.33.1-0.1"), ("findutils", "4.6.0+git+20190209-2"), ("gcc-8-base", "8.3.0-6"),
    ("gpgv", "2.2.12-1+deb10u1"), ("grep", "3.3-1"), ("gzip", "1.9-3"), ("hostname", "3.21"), ("init-system-helpers", "1.56+nmu1"),
    ("iproute2", "4.20.0-2"), ("iputils-ping", "3:20180629-2"), ("libacl1", "2.2.53-4"), ("libapt-pkg5.0", "1.8.2"),
    ("libattr1", "1:2.4.48-4"), ("libaudit-common", "1:2.8.4-3"), ("libaudit1", "1:2.8.4-3"), ("libblkid1", "2.33.1-0.1"),
    ("libbz2-1.0", "1.0.6-9.2~deb10u1"), ("libc-bin", "2.28-10"), ("libc6", "2.28-10"), ("libcap-ng0", "0.7.9-2"),
    ("libcap2", "1:2.25-2"), ("libcap2-bin", "1:2.25-2"), ("libcom-err2", "1.44.5-1+deb10u2"), ("libdb5.3", "5.3.28+dfsg1-0.5"),
    ("libdebconfclient0", "0.249"), ("libelf1", "0.176-1.1"), ("libext2fs2", "1.44.5-1+deb10u2"), ("libfdisk1", "2.33.1-0.1"),
    ("libffi6", "3.2.1-9"), ("libgcc1", "1:8.3.0-6"), ("libgcrypt20", "1.8.4-5"), ("libgmp10", "2:6.1.2+dfsg-4"),
    ("libgnutls30", "3.6.7-4"), ("libgpg-error0", "1.35-1"), ("libhogweed4", "3.4.1-1"), ("libidn2-0", "2.0.5-1"),
    ("liblz4-1", "1.8.3-1"), ("liblzma5", "5.2.4-1"), ("libmnl0", "1.0.4-2"), ("libmount1", "2.33.1-0.1"),
    ("libncursesw6", "6.1+20181013-2+deb10u1"), ("libnettle6", "3.4.1-1"), ("libp11-kit0", "0.23.15-2"),
    ("libpam-modules", "1.3.1-5"), ("libpam-modules-bin", "1.3.1-5"), ("libpam-runtime", "1.3.1-5"), ("libpam0g", "1.3.1-5"),
    ("libpcre3", "2:8.39-12"), ("libseccomp2", "2.3.3-4"), ("libselinux1", "2.8-1+b1"), ("libsemanage-common", "2.8-2"),
    ("libsemanage1", "2.8-2"), ("libsepol1", "2.8-1"), ("libsmartcols1", "2.33.1-0.1"), ("libss2", "1.44.5-1+deb10u2"),
    ("libstdc++6", "8.3.0-6"), ("libsystemd0", "241-7~deb10u1"), ("libtasn1-6", "4.13-3"), ("libtinfo6", "6.1+20181013-2+deb10u1"),
    ("libudev1", "241-7~deb10u1"), ("libunistring2", "0.9.10-1"), ("libuuid1", "2.33.1-0.1"), ("libxtables12", "1.8.2-4"),
    ("libzstd1", "1.3.8+dfsg-3"), ("login", "1:4.5-1.1"), ("mawk", "1.3.3-17+b3"), ("mount", "2.33.1-0.1"),
    ("ncurses-base", "6.1+20181013-2+deb10u1"), ("ncurses-bin", "6.1+20181013-2+deb10u1"), ("passwd", "1:4.5-1.1"),
    ("perl-base", "5.28.1-6"), ("sed", "4.7-1"), ("sysvinit-utils", "2.93-8"), ("tar", "1.30+dfsg-6"), ("tzdata", "2019c-0+deb10u1"),
    ("util-linux", "2.33.1-0.1"), ("zlib1g", "1:1.2.11.dfsg-1")]

GO_MODULES = [("stdlib", "v1.22.5"), ("github.com/prometheus/client_golang", "v1.19.1"),
              ("go.opentelemetry.io/otel", "v1.27.0"), ("google.golang.org/grpc", "v1.64.0")]

# ---- vulnerabilities (facts from the public Trivy / DefectDojo fixtures and public advisories) ------------------
ALPINE_DS = {"ID": "alpine", "Name": "Alpine Secdb", "URL": "https://secdb.alpinelinux.org/"}
DEBIAN_DS = {"ID": "debian", "Name": "Debian Security Tracker", "URL": "https://salsa.debian.org/security-tracker-team/security-tracker"}

def vuln(cve, pkg, installed, fixed, severity, title, ds, purl_type, distro, status=None, score=None, source="nvd",
         published=None, modified=None):
    v = {"VulnerabilityID": cve, "PkgID": f"{pkg}@{installed}", "PkgName": pkg,
         "PkgIdentifier": {"PURL": f"pkg:{purl_type}/{ds['ID']}/{pkg}@{installed}?arch={'x86_64' if purl_type == 'apk' else 'amd64'}&distro={distro}"},
         "InstalledVersion": installed}
    if fixed:
        v["FixedVersion"] = fixed
    v["Status"] = status or ("fixed" if fixed else "affected")
    v["SeveritySource"] = source
    v["PrimaryURL"] = f"https://avd.aquasec.com/nvd/{cve.lower()}"
    v["DataSource"] = ds
    v["Title"] = title
    v["Severity"] = severity
    if score is not None:
        v["CVSS"] = {"nvd": {"V3Score": score}}
    if published:
        v["PublishedDate"] = published
    if modified:
        v["LastModifiedDate"] = modified
    return v

ALPINE_310_VULNS = [
    vuln("CVE-2019-1549", pkg, "1.1.1c-r0", "1.1.1d-r0", "MEDIUM", "openssl: information disclosure in fork()", ALPINE_DS, "apk", "3.10.2",
         score=5.3, published="2019-09-10T17:15:00Z", modified="2020-10-20T22:15:00Z") for pkg in ("libcrypto1.1", "libssl1.1")
] + [
    vuln("CVE-2019-1551", pkg, "1.1.1c-r0", "1.1.1d-r2", "MEDIUM", "openssl: Integer overflow in RSAZ modular exponentiation on x86_64",
         ALPINE_DS, "apk", "3.10.2", score=5.3, published="2019-12-06T18:15:00Z", modified="2021-07-21T11:39:00Z") for pkg in ("libcrypto1.1", "libssl1.1")
]
DEBIAN_101_VULNS = [
    vuln("CVE-2019-18224", "libidn2-0", "2.0.5-1", "2.0.5-1+deb10u1", "CRITICAL", "libidn2: heap-based buffer overflow in idn2_to_ascii_4i in lib/lookup.c",
         DEBIAN_DS, "deb", "debian-10.1", score=9.8, published="2019-10-21T17:15:00Z", modified="2019-10-29T19:15:00Z"),
    vuln("CVE-2019-18276", "bash", "5.0-4", None, "LOW", "bash: when effective UID is not equal to its real UID the saved UID is not dropped",
         DEBIAN_DS, "deb", "debian-10.1", source="debian", published="2019-11-28T01:15:00Z", modified="2021-05-26T12:15:00Z"),
]
NGINX_ALPINE_VULNS = [
    vuln("CVE-2023-23914", pkg, "7.87.0-r1", "7.87.0-r2", "CRITICAL", "curl: HSTS ignored on multiple requests", ALPINE_DS, "apk", "3.17.1",
         score=9.1, published="2023-02-23T20:15:00Z") for pkg in ("curl", "libcurl")
]
CMS_VULNS = [
    vuln("CVE-2024-2961", pkg, "2.36-9+deb12u4", "2.36-9+deb12u6", "HIGH", "glibc: Out of bounds write in iconv may lead to remote code execution",
         DEBIAN_DS, "deb", "debian-12.5", score=7.3, published="2024-04-17T18:15:00Z") for pkg in ("libc-bin", "libc6")
]

# ---- the images -------------------------------------------------------------------------------------------------
def sample_image(name, tag, lang="gobinary", pin=True, scanned=True, base="base", extra=None):
    return Image(f"{SAMPLE}/{name}", tag, pin=pin, scanned=scanned,
                 report={"os": ("debian", "12.7", False), "packages": DISTROLESS_STATIC if base == "static" else DISTROLESS_BASE,
                         "lang": lang, "binary": name, "user": "65532"})

IMAGES = {}
def img(key, image):
    IMAGES[key] = image
    return image

payments_api = img("payments-api", sample_image("payments-api", "1.14.2"))
payments_worker = img("payments-worker", sample_image("payments-worker", "1.14.2"))
fraud_scoring = img("fraud-scoring", Image(f"{SAMPLE}/fraud-scoring", "0.9.7", pin=True, scanned=True,
                    report={"os": ("debian", "12.7", False), "packages": DISTROLESS_PYTHON, "lang": "python-pkg",
                            "binary": "fraud-scoring", "user": "65532"}))
payments_gateway = img("payments-gateway", sample_image("payments-gateway", "2.3.0", base="static"))
schema_migrator = img("schema-migrator", sample_image("schema-migrator", "5.1.0", base="static"))
checkout = img("checkout", sample_image("checkout", "4.2.1"))
storefront_api = img("storefront-api", sample_image("storefront-api", "3.8.0"))
sitemap = img("sitemap-generator", sample_image("sitemap-generator", "1.2.0", base="static"))
feature_flags = img("feature-flags", sample_image("feature-flags", "0.7.3", base="static"))
recommendations = Image(f"{SAMPLE}/recommendations", "latest")
cms = img("cms", Image(f"{SAMPLE}/cms", "3.1.0", pin=False, scanned=True,
          report={"os": ("debian", "12.5", False), "packages": DEBIAN_BOOKWORM_FAT, "vulns": CMS_VULNS, "user": "www-data"}))
etl = img("etl-scheduler", sample_image("etl-scheduler", "0.12.3"))
report_builder = img("report-builder", sample_image("report-builder", "2.0.4"))
cert_checker = img("cert-checker", sample_image("cert-checker", "1.1.0", base="static"))
dispatcher = img("batch-dispatcher", sample_image("batch-dispatcher", "0.4.1", base="static"))
invoice = img("invoice-mailer", sample_image("invoice-mailer", "1.6.2"))
blackbox = img("blackbox-exporter", sample_image("blackbox-exporter", "0.25.0", base="static"))
ksm = img("kube-state-metrics", Image("registry.k8s.io/kube-state-metrics/kube-state-metrics", "v2.12.0", pin=True, scanned=True,
          report={"os": ("debian", "12.7", False), "packages": DISTROLESS_STATIC, "lang": "gobinary",
                  "binary": "kube-state-metrics", "user": "65534"}))

alpine310 = img("alpine-3.10.2", Image("alpine", "3.10.2", scanned=True,
                report={"os": ("alpine", "3.10.2", True), "packages": ALPINE_310, "vulns": ALPINE_310_VULNS,
                        "image_id": "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
                        "diff_ids": ["sha256:03901b4a2ea88eeaad62dbe59b072b28b6efa00491962b8741081c5df50c65e0"],
                        "cmd": ["/bin/sh"], "created": "2019-08-20T20:19:55.211423266Z"}))
debian101 = img("debian-10.1", Image("debian", "10.1", scanned=True,
                report={"os": ("debian", "10.1", True), "packages": DEBIAN_BUSTER, "vulns": DEBIAN_101_VULNS,
                        "image_id": "sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1",
                        "diff_ids": ["sha256:78c1b9419976227e05be9d243b7fa583bea44a5258e52018b2af4cdfe23d148d"],
                        "cmd": ["bash"], "created": "2019-09-11T23:21:51.562946709Z"}))
nginx_alpine = img("nginx-alpine", Image("nginx", "alpine", scanned=True,
                   report={"os": ("alpine", "3.17.1", True), "packages": NGINX_ALPINE, "vulns": NGINX_ALPINE_VULNS,
                           "cmd": ["nginx", "-g", "daemon off;"], "created": "2023-02-11T04:46:42.449083344Z"}))

nginx_untagged = Image("nginx", None)
postgres = Image("postgres", "16.4")
python_slim = Image("python", "3.12-slim")
redis_bitnami = Image("docker.io/bitnami/redis", "7.2.5")
search_api = Image("quay.io/example-search/search-api", "2.3.1")
kafka = Image("docker.io/apache/kafka", "3.7.0")
elasticsearch = Image("docker.elastic.co/elasticsearch/elasticsearch", "8.13.4")
metabase = Image("docker.io/metabase/metabase", "v0.49.3")
wireguard = Image("docker.io/linuxserver/wireguard", "1.0.20210914")
node_exporter = Image("quay.io/prometheus/node-exporter", "v1.8.1")
prometheus = Image("quay.io/prometheus/prometheus", "v2.53.0")
alertmanager = Image("quay.io/prometheus/alertmanager", "v0.27.0")
grafana = Image("docker.io/grafana/grafana", "11.1.0")
falco = Image("docker.io/falcosecurity/falco", "0.38.1")
fluent_bit = Image("cr.fluentbit.io/fluent/fluent-bit", "3.0.7")
pytorch = Image("nvcr.io/nvidia/pytorch", "24.05-py3")
ingress_controller = Image("registry.k8s.io/ingress-nginx/controller", "v1.10.1", pin=True)
certgen = Image("registry.k8s.io/ingress-nginx/kube-webhook-certgen", "v1.4.1", pin=True)
kube_apiserver = Image("registry.k8s.io/kube-apiserver", "v1.32.4")
kube_cm = Image("registry.k8s.io/kube-controller-manager", "v1.32.4")
kube_scheduler = Image("registry.k8s.io/kube-scheduler", "v1.32.4")
kube_proxy = Image("registry.k8s.io/kube-proxy", "v1.32.4")
etcd = Image("registry.k8s.io/etcd", "3.5.16-0")
coredns = Image("registry.k8s.io/coredns/coredns", "v1.11.3")

# ---- Trivy report rendering ---------------------------------------------------------------------------------------
def trivy_report(image, created_at):
    r = image.report
    family, os_name, eosl = r["os"]
    image_id = r.get("image_id") or sha(f"config:{image.tag_ref}")
    diff_ids = r.get("diff_ids") or [sha(f"layer0:{image.tag_ref}"), sha(f"layer1:{image.tag_ref}")]
    os_layer = {"DiffID": diff_ids[0]}
    app_layer = {"DiffID": diff_ids[-1]}
    purl_type = "apk" if family == "alpine" else "deb"
    distro = os_name if family == "alpine" else f"debian-{os_name}"
    arch = "x86_64" if family == "alpine" else "amd64"
    packages = []
    for name, version in r["packages"]:
        p = {"ID": f"{name}@{version}", "Name": name,
             "Identifier": {"PURL": f"pkg:{purl_type}/{family}/{name}@{version}?arch={arch}&distro={distro}"},
             "Version": version, "Arch": arch, "SrcName": name, "SrcVersion": version, "Layer": os_layer}
        packages.append(p)
    os_meta = {"Family": family, "Name": os_name}
    if eosl:
        os_meta["EOSL"] = True
    repo_tags = [image.tag_ref] if image.tag else []
    repo_digests = [image.repo + "@" + image.digest]
    config = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if r.get("user"):
        config["User"] = r["user"]
    if r.get("lang"):
        config["Entrypoint"] = [f"/app/{r['binary']}"]
    if r.get("cmd"):
        config["Cmd"] = r["cmd"]
    report = {
        "SchemaVersion": 2,
        "CreatedAt": created_at,
        "ArtifactName": image.tag_ref,
        "ArtifactType": "container_image",
        "Metadata": {
            "OS": os_meta,
            "ImageID": image_id,
            "DiffIDs": diff_ids,
            "RepoTags": repo_tags,
            "RepoDigests": repo_digests,
            "ImageConfig": {
                "architecture": "amd64",
                "created": r.get("created", "2025-05-28T14:02:11.530912804Z"),
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": diff_ids},
                "config": config,
            },
        },
        "Results": [],
    }
    os_result = {"Target": f"{image.tag_ref} ({family} {os_name})", "Class": "os-pkgs", "Type": family, "Packages": packages}
    vulns = []
    for v in r.get("vulns", []):
        v = dict(v)
        v["Layer"] = os_layer
        vulns.append(v)
    if vulns:
        os_result["Vulnerabilities"] = vulns
    report["Results"].append(os_result)
    if r.get("lang") == "gobinary":
        report["Results"].append({"Target": f"app/{r['binary']}", "Class": "lang-pkgs", "Type": "gobinary",
            "Packages": [{"ID": f"{m}@{v}", "Name": m, "Identifier": {"PURL": f"pkg:golang/{m}@{v}"}, "Version": v, "Layer": app_layer}
                         for m, v in GO_MODULES]})
    elif r.get("lang") == "python-pkg":
        pkgs = [("fastapi", "0.111.0"), ("numpy", "1.26.4"), ("pydantic", "2.7.4"), ("scikit-learn", "1.5.0"), ("uvicorn", "0.30.1")]
        report["Results"].append({"Target": "Python", "Class": "lang-pkgs", "Type": "python-pkg",
            "Packages": [{"ID": f"{n}@{v}", "Name": n, "Identifier": {"PURL": f"pkg:pypi/{n}@{v}"}, "Version": v,
                          "FilePath": f"app/.venv/lib/python3.11/site-packages/{n.replace('-', '_')}-{v}.dist-info/METADATA",
                          "Layer": app_layer} for n, v in pkgs]})
    return report
