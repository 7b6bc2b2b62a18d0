package dev.kubeproof.stack;

/** The servers the local stack can start. */
public enum ServerKind {
    KAFKA("kafka"),
    SCHEMA_REGISTRY("schema-registry"),
    ELASTICSEARCH("elasticsearch");

    private final String id;

    ServerKind(String id) {
        this.id = id;
    }

    /** Stable name used for folders, pid files and the command line. */
    public String id() {
        return id;
    }

    public static ServerKind fromId(String id) {
        for (ServerKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "' (expected one of kafka, schema-registry, elasticsearch)");
    }
}
