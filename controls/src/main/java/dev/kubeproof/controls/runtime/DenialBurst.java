package dev.kubeproof.controls.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Repeated denials of one principal (KP-RUN-007): {@code denialBurstCount} denials within {@code denialBurstWindow}
 * open a burst, which is reported once; it ends when the principal goes a whole window without a denial, and only
 * then can a new burst be reported. Immutable; kept between events as {@link #encode()} text.
 *
 * @param recent     times (epoch millis) of the latest denials inside the window, oldest first, at most the count
 * @param open       true while a reported burst continues
 * @param lastDenial time of the latest denial, 0 before any
 */
public record DenialBurst(List<Long> recent, boolean open, long lastDenial) {
    public DenialBurst {
        recent = List.copyOf(recent);
    }

    public static DenialBurst none() {
        return new DenialBurst(List.of(), false, 0);
    }

    /** The state after a denial at {@code at}; {@link Step#fires()} when it starts a burst to report. */
    public Step observe(long at, RuntimeSettings settings) {
        long window = settings.denialBurstWindow().toMillis();
        boolean stillOpen = open && at - lastDenial <= window;
        List<Long> inWindow = new ArrayList<>();
        for (long time : recent) {
            if (at - time <= window) {
                inWindow.add(time);
            }
        }
        inWindow.add(at);
        while (inWindow.size() > settings.denialBurstCount()) {
            inWindow.remove(0);
        }
        boolean fires = !stillOpen && inWindow.size() >= settings.denialBurstCount();
        return new Step(new DenialBurst(inWindow, stillOpen || fires, Math.max(at, lastDenial)), fires,
                inWindow.size());
    }

    /** {@code open;lastDenial;t1,t2,...} */
    public String encode() {
        StringBuilder text = new StringBuilder().append(open).append(';').append(lastDenial).append(';');
        for (int i = 0; i < recent.size(); i++) {
            text.append(i == 0 ? "" : ",").append(recent.get(i));
        }
        return text.toString();
    }

    public static DenialBurst decode(String text) {
        if (text == null || text.isEmpty()) {
            return none();
        }
        String[] parts = text.split(";", -1);
        List<Long> times = new ArrayList<>();
        if (parts.length > 2 && !parts[2].isEmpty()) {
            for (String time : parts[2].split(",")) {
                times.add(Long.parseLong(time));
            }
        }
        return new DenialBurst(times, Boolean.parseBoolean(parts[0]), Long.parseLong(parts[1]));
    }

    /** One denial's outcome: the next state, whether a burst starts, and how many denials the window holds. */
    public record Step(DenialBurst next, boolean fires, int denialsInWindow) {
    }
}
