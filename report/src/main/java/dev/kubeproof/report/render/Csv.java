package dev.kubeproof.report.render;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

/** One CSV file written a row at a time (RFC 4180 quoting by Jackson's CSV generator), with a header row. */
public final class Csv implements AutoCloseable {
    private static final CsvMapper MAPPER = new CsvMapper();
    private final SequenceWriter writer;
    private final int columns;
    private long rows;

    public Csv(OutputStream out, List<String> header) throws IOException {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        header.forEach(schema::addColumn);
        this.columns = header.size();
        this.writer = MAPPER.writer(schema.build()).writeValues(out);
    }

    /** One row; values are written with {@code String.valueOf}, null as empty. */
    public void row(Object... values) throws IOException {
        if (values.length != columns) {
            throw new IllegalArgumentException("row of " + values.length + " values for " + columns + " columns");
        }
        String[] text = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            text[i] = values[i] == null ? "" : String.valueOf(values[i]);
        }
        writer.write(text);
        rows++;
    }

    public long rows() {
        return rows;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
