package dev.kubeproof.controls.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.TextNode;

import dev.kubeproof.avro.ImageScan;
import dev.kubeproof.avro.InstalledPackage;
import dev.kubeproof.avro.Vulnerability;
import dev.kubeproof.controls.ControlSettings;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.check.Check;
import dev.kubeproof.controls.check.Subject;
import dev.kubeproof.controls.check.Verdict;
import dev.kubeproof.controls.k8s.Container;
import dev.kubeproof.controls.k8s.RunningImages;
import dev.kubeproof.contract.image.ImageReference;

import static dev.kubeproof.controls.checks.WorkloadChecks.eachContainer;

/** Image provenance, pinning and scan-based checks (KP-IMG-*). */
final class ImageChecks {

    private ImageChecks() {
    }

    static void register(Map<String, Check> checks) {
        checks.put("KP-IMG-001", subject -> eachContainer(
                (c, p) -> untrustedRegistry(c, subject.settings().trustedRegistries()),
                "every image comes from a trusted registry").evaluate(subject));
        checks.put("KP-IMG-002", eachContainer((c, p) -> floatingTag(c), "every image has a fixed tag or a digest"));
        checks.put("KP-IMG-003", eachContainer((c, p) -> noDigest(c), "every image is pinned by digest"));
        checks.put("KP-IMG-004", ImageChecks::scanned);
        checks.put("KP-IMG-005", scanCheck((c, scan) -> endOfLife(c, scan), scan -> true,
                "no image runs an end-of-life operating system"));
        checks.put("KP-IMG-006", subject -> scanCheck((c, scan) -> fixableVulnerabilities(c, scan, subject.settings()),
                scan -> true, "no image has fixable vulnerabilities of a blocking severity").evaluate(subject));
        checks.put("KP-IMG-007", subject -> scanCheck((c, scan) -> unnecessaryPackages(c, scan, subject.settings()),
                scan -> !scan.getPackages().isEmpty(), "no image contains shells, package managers or download tools")
                .evaluate(subject));
        checks.put("KP-IMG-008", subject -> scanCheck((c, scan) -> notMinimal(c, scan, subject.settings()),
                scan -> !scan.getPackages().isEmpty(), "every image is built on a minimal base").evaluate(subject));
        checks.put("KP-IMG-009", ImageChecks::runningImageIsDeclared);
    }

    /**
     * The scan of what a container runs: of its running digest when the Pod reports one and a scan of it exists,
     * else of the image reference it declares.
     */
    private static Optional<ImageScan> scanOf(Subject subject, Container c) {
        String running = RunningImages.digests(subject.object()).get(c.name());
        if (running != null) {
            Optional<ImageScan> byDigest = subject.view().imageScan(RunningImages.reference(c.image(), running));
            if (byDigest.isPresent()) {
                return byDigest;
            }
        }
        return subject.view().imageScan(c.image());
    }

    /**
     * A Pod runs what it declares: the digest it pins, and the content its image's scan describes. A tag can be
     * re-pushed; then the scan of the tag (and every scan-based result) is about another image than the one running.
     */
    private static Verdict runningImageIsDeclared(Subject subject) {
        Map<String, String> running = RunningImages.digests(subject.object());
        if (running.isEmpty()) {
            return Verdict.notApplicable("the pod reports no running image digests (status.containerStatuses[].imageID)");
        }
        return eachContainer((c, p) -> {
            String digest = running.get(c.name());
            if (digest == null) {
                return List.<Finding>of();
            }
            ImageReference declared = ImageReference.parse(c.image());
            if (declared.hasDigest() && !declared.digest().equals(digest)) {
                return List.of(new Finding(c.field("image"), c.name(), quote(c.image()), "container " + c.name()
                        + " declares digest " + declared.digest() + " but runs " + digest));
            }
            Optional<ImageScan> scanOfDeclared = subject.view().imageScan(c.image());
            String scanned = scanOfDeclared.map(ImageScan::getDigest).orElse(null);
            if (!declared.hasDigest() && scanned != null && scanned.startsWith("sha256:") && !scanned.equals(digest)
                    && subject.view().imageScan(RunningImages.reference(c.image(), digest)).isEmpty()) {
                return List.of(new Finding(c.field("image"), c.name(), quote(c.image()), "container " + c.name()
                        + " runs " + digest + " but the scan of " + c.image() + " is of " + scanned
                        + ": the tag was re-pushed, and no scan describes what runs"));
            }
            return List.<Finding>of();
        }, "every container runs the image it declares and its scan describes").evaluate(subject);
    }

    private static List<Finding> untrustedRegistry(Container c, List<String> trusted) {
        ImageReference image = ImageReference.parse(c.image());
        if (trusted.stream().anyMatch(image::isUnder)) {
            return List.of();
        }
        return List.of(new Finding(c.field("image"), c.name(), quote(c.image()),
                "container " + c.name() + " image " + image.name() + " is not from a trusted registry"));
    }

    private static List<Finding> floatingTag(Container c) {
        ImageReference image = ImageReference.parse(c.image());
        if (image.hasDigest()) {
            return List.of(); // a digest pins the content whatever the tag says
        }
        if (image.tag() == null) {
            return List.of(new Finding(c.field("image"), c.name(), quote(c.image()),
                    "container " + c.name() + " image " + c.image() + " has no tag, so it floats with :latest"));
        }
        if (image.tag().equals("latest")) {
            return List.of(new Finding(c.field("image"), c.name(), quote(c.image()),
                    "container " + c.name() + " image " + c.image() + " uses the floating :latest tag"));
        }
        return List.of();
    }

    private static List<Finding> noDigest(Container c) {
        return ImageReference.parse(c.image()).hasDigest() ? List.of()
                : List.of(new Finding(c.field("image"), c.name(), quote(c.image()),
                        "container " + c.name() + " image " + c.image() + " is not pinned by digest"));
    }

    private static Verdict scanned(Subject subject) {
        if (!subject.view().hasImageScans()) {
            return Verdict.notApplicable("no image scan data is available in this view (offline scan)");
        }
        return eachContainer((c, p) -> scanOf(subject, c).isPresent() ? List.<Finding>of()
                        : List.of(new Finding(c.field("image"), c.name(), quote(c.image()),
                                "container " + c.name() + " image " + c.image() + " has no vulnerability scan")),
                "every image has a vulnerability scan").evaluate(subject);
    }

    /**
     * A check over the scans of the containers' images: containers whose image has no scan (or whose scan lacks
     * what the check needs) are skipped, since KP-IMG-004 reports them; NOT_APPLICABLE when none is left.
     */
    private static Check scanCheck(BiFunction<Container, ImageScan, List<Finding>> rule,
                                   Predicate<ImageScan> usable, String passMessage) {
        return subject -> subject.podSpec().map(pod -> {
            List<Finding> findings = new ArrayList<>();
            int evaluated = 0;
            for (Container c : pod.containers()) {
                Optional<ImageScan> scan = scanOf(subject, c);
                if (scan.isPresent() && usable.test(scan.get())) {
                    evaluated++;
                    findings.addAll(rule.apply(c, scan.get()));
                }
            }
            if (evaluated == 0) {
                return Verdict.notApplicable("no container image has a scan with the data this control needs");
            }
            return Verdict.of(findings, passMessage);
        }).orElseGet(() -> Verdict.notApplicable("the object has no pod spec"));
    }

    private static List<Finding> endOfLife(Container c, ImageScan scan) {
        if (scan.getOs() == null || !scan.getOs().getEndOfLife()) {
            return List.of();
        }
        String os = scan.getOs().getFamily() + (scan.getOs().getName() == null ? "" : " " + scan.getOs().getName());
        return List.of(new Finding(c.field("image"), c.name(), quote(os),
                "container " + c.name() + " image " + c.image() + " runs end-of-life OS " + os + " (no more security fixes)"));
    }

    private static List<Finding> fixableVulnerabilities(Container c, ImageScan scan, ControlSettings settings) {
        List<String> fixable = new ArrayList<>();
        for (Vulnerability v : scan.getVulnerabilities()) {
            boolean hasFix = v.getFixedVersion() != null && !v.getFixedVersion().isBlank();
            if (hasFix && settings.blockingVulnerabilitySeverities().contains(v.getSeverity().name())) {
                fixable.add(v.getId() + " " + v.getSeverity() + " in " + v.getPackageName() + " " + v.getInstalledVersion()
                        + " (fixed in " + v.getFixedVersion() + ")");
            }
        }
        if (fixable.isEmpty()) {
            return List.of();
        }
        return List.of(new Finding(c.field("image"), c.name(), quote(String.join("; ", fixable)),
                "container " + c.name() + " image " + c.image() + " has " + fixable.size() + " fixable "
                        + String.join("/", settings.blockingVulnerabilitySeverities()) + " vulnerabilities, e.g. " + fixable.get(0)));
    }

    private static List<Finding> unnecessaryPackages(Container c, ImageScan scan, ControlSettings settings) {
        List<String> found = scan.getPackages().stream().map(InstalledPackage::getName)
                .filter(settings.unnecessaryPackages()::contains).distinct().sorted().toList();
        return found.isEmpty() ? List.of()
                : List.of(new Finding(c.field("image"), c.name(), quote(String.join(", ", found)),
                        "container " + c.name() + " image " + c.image() + " contains " + String.join(", ", found)));
    }

    private static List<Finding> notMinimal(Container c, ImageScan scan, ControlSettings settings) {
        // Language packages come from the application itself; only OS packages say how big the base is.
        long osPackages = scan.getPackages().stream()
                .filter(p -> p.getPackageClass() == null || p.getPackageClass().equals("os-pkgs")).count();
        if (osPackages <= settings.minimalImageMaxOsPackages()) {
            return List.of();
        }
        return List.of(new Finding(c.field("image"), c.name(), String.valueOf(osPackages),
                "container " + c.name() + " image " + c.image() + " has " + osPackages + " OS packages (a minimal base has at most "
                        + settings.minimalImageMaxOsPackages() + ")"));
    }

    /** Values in findings are JSON text. */
    private static String quote(String text) {
        return TextNode.valueOf(text).toString();
    }
}
