package dev.kubeproof.report.render;

import java.io.IOException;
import java.io.OutputStream;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;

/** The PDF: the HTML report rendered by openhtmltopdf (PDFBox), so both say exactly the same. */
public final class PdfReport {

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
