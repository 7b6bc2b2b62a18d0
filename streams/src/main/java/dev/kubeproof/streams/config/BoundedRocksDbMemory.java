package dev.kubeproof.streams.config;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the off-heap memory of every RocksDB state store of the process together, as the Kafka Streams memory
 * management guide describes: one LRU block cache and one write-buffer manager shared by all stores. Without it
 * each store instance (about fifteen stores × each evaluation partition the instance runs) takes its own 50 MiB
 * cache and up to 3 × 16 MiB of memtables, so the instance's memory would grow with the partitions it holds
 * rather than stay fixed. With it, the stores use at most {@value #TOTAL_BYTES} bytes off-heap whatever the
 * inventory's size; a larger inventory costs disk and cache misses, not memory. Users may set their own
 * {@code rocksdb.config.setter}.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** Block cache and memtables of all stores together. */
    public static final long TOTAL_BYTES = 64L * 1024 * 1024;
    /** Of which memtables (counted against the cache). */
    private static final long MEMTABLE_BYTES = 16L * 1024 * 1024;
    private static final double INDEX_FILTER_RATIO = 0.1;

    // Shared by every store of the process; never closed (they live as long as the process).
    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, INDEX_FILTER_RATIO);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(4L * 1024 * 1024);
        // The default arena block is an eighth of the write buffer (512 KiB): a memtable reserves one as soon as it is
        // written, and ~100 store instances (15 stores x each partition) then exceed the shared 16 MiB before holding
        // any data, so the manager flushes on nearly every write: SSTs of 10 KB and compactions using more CPU than the
        // stream thread (streams/README).
        options.setArenaBlockSize(64L * 1024);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager are shared by every store: closing them here would break the others
    }
}
