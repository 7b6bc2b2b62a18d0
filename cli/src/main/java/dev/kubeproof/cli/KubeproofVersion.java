package dev.kubeproof.cli;

import dev.kubeproof.contract.build.KubeproofBuild;

import picocli.CommandLine;

/** Prints kubeproof's version and the versions of the servers it starts locally. */
final class KubeproofVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"kubeproof " + KubeproofBuild.version()};
    }
}
