package dev.kubeproof.cli;

import picocli.CommandLine;

/** Prints kubeproof's version and the versions of the servers it starts locally. */
final class KubeproofVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Kubeproof.class.getPackage().getImplementationVersion();
        return new String[] {"kubeproof " + (version == null ? "development build" : version)};
    }
}
