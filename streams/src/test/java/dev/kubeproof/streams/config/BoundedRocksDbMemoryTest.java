package dev.kubeproof.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {
    /** Store instances of one evaluation instance with the default six partitions (about fifteen stores each). */
    private static final int STORE_INSTANCES = 100;
    private static final int KEYS_PER_STORE = 200;

    @Test
    void shouldLetAHundredStoresShareTheMemtablesWithoutFlushingOnEveryWrite(@TempDir Path dir) throws Exception {
        // Given a hundred RocksDB stores configured as Kafka Streams configures them, with kubeproof's setter
        RocksDB.loadLibrary();
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        List<Options> options = new ArrayList<>();
        List<RocksDB> stores = new ArrayList<>();
        try {
            for (int i = 0; i < STORE_INSTANCES; i++) {
                Options storeOptions = new Options().setCreateIfMissing(true)
                        .setTableFormatConfig(new BlockBasedTableConfig());
                setter.setConfig("store-" + i, storeOptions, Map.of());
                options.add(storeOptions);
                stores.add(RocksDB.open(storeOptions, Files.createDirectories(dir.resolve("store-" + i)).toString()));
            }

            // When each gets 200 small records (2 MB together, far below the 16 MiB of memtables they share)
            byte[] value = "v".repeat(100).getBytes(StandardCharsets.UTF_8);
            for (int key = 0; key < KEYS_PER_STORE; key++) {
                for (RocksDB store : stores) {
                    store.put(("key-" + key).getBytes(StandardCharsets.UTF_8), value);
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> stores.stream()
                    .allMatch(store -> property(store, "rocksdb.num-running-flushes") == 0
                            && property(store, "rocksdb.mem-table-flush-pending") == 0));

            // Then the records stay in the memtables: no store flushed (with 512 KiB arena blocks, RocksDB's default
            // for 4 MiB buffers, the hundred stores reserved more than the shared budget and flushed hundreds of
            // tiny files)
            assertThat(sstFiles(dir)).isZero();
        } finally {
            stores.forEach(RocksDB::close);
            options.forEach(Options::close);
        }
    }

    private static long property(RocksDB store, String name) {
        try {
            return store.getLongProperty(name);
        } catch (org.rocksdb.RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long sstFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(file -> file.toString().endsWith(".sst")).count();
        }
    }
}
