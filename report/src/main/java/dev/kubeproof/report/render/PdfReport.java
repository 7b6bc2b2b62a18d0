package dev.kubeproof.report.render;

import java.io.IOException;
import java.io.OutputStream;
import java.util.logging.Level;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.util.XRLog;

/** The PDF: the HTML report rendered by openhtmltopdf (PDFBox), so both say exactly the same. */
public final class PdfReport {
    static {
        // openhtmltopdf logs its timings at INFO on the console; a report shows only its warnings
        for (String logger : XRLog.listRegisteredLoggers()) {
            XRLog.setLevel(logger, Level.WARNING);
        }
    }

    private PdfReport() {
    }

    public static void render(String xhtml, OutputStream out) throws IOException {
        PdfRendererBuilder builder = new PdfRendererBuilder();
        builder.useFastMode();
        builder.withHtmlContent(xhtml, null);
        builder.toStream(out);
        builder.run();
    }
}
