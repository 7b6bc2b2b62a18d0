package dev.kubeproof.controls.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address is a /32 or /128. */
record Cidr(byte[] network, int prefixLength) {
    /** Only literal addresses: a host name must never trigger a DNS lookup. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    static Cidr parse(String text) {
        String[] parts = text.trim().split("/", -1);
        byte[] address = address(parts[0]).orElseThrow(() ->
                new IllegalArgumentException("'" + text + "' is not a network in CIDR notation, e.g. 10.0.0.0/8"));
        int bits = address.length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
        }
        if (parts.length > 2 || prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length (0 to " + bits + ")");
        }
        return new Cidr(address, prefix);
    }

    /** True when {@code ip} (a literal address) lies in this network; false for anything that is not an address. */
    boolean contains(String ip) {
        byte[] candidate = address(ip).orElse(null);
        if (candidate == null || candidate.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (candidate[full] & mask) == (network[full] & mask);
    }

    private static java.util.Optional<byte[]> address(String text) {
        String literal = text == null ? "" : text.trim();
        if (literal.isEmpty() || !LITERAL.matcher(literal).matches()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(InetAddress.getByName(literal).getAddress());
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
    }
}
