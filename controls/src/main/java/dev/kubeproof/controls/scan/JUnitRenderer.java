package dev.kubeproof.controls.scan;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import dev.kubeproof.controls.ControlDefinition;
import dev.kubeproof.controls.ControlResult;
import dev.kubeproof.controls.Finding;
import dev.kubeproof.controls.Status;

/**
 * JUnit XML, as CI servers read it: a {@code testsuite} per control that applied to something, a {@code testcase}
 * per resource; FAIL is a {@code failure}, ERROR an {@code error}, NOT_APPLICABLE {@code skipped}.
 */
public final class JUnitRenderer implements ReportRenderer {

    @Override
    public void render(ScanReport report, Writer out) throws IOException {
        Map<ControlDefinition, List<ScanReport.Entry>> byControl = report.entries().collect(Collectors.groupingBy(
                e -> e.result().control(), LinkedHashMap::new, Collectors.toList()));
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(new NonClosingWriter(out));
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", "kubeproof scan");
            counts(xml, report.entries().toList());
            xml.writeCharacters("\n");
            for (Map.Entry<ControlDefinition, List<ScanReport.Entry>> suite : byControl.entrySet()) {
                ControlDefinition control = suite.getKey();
                xml.writeCharacters("  ");
                xml.writeStartElement("testsuite");
                xml.writeAttribute("name", control.id() + " " + control.title());
                counts(xml, suite.getValue());
                xml.writeCharacters("\n");
                for (ScanReport.Entry entry : suite.getValue()) {
                    testCase(xml, entry);
                }
                xml.writeCharacters("  ");
                xml.writeEndElement();
                xml.writeCharacters("\n");
            }
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.flush();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
        }
        out.flush();
    }

    private static void counts(XMLStreamWriter xml, List<ScanReport.Entry> entries) throws XMLStreamException {
        xml.writeAttribute("tests", String.valueOf(entries.size()));
        xml.writeAttribute("failures", String.valueOf(entries.stream().filter(e -> e.result().status() == Status.FAIL).count()));
        xml.writeAttribute("errors", String.valueOf(entries.stream().filter(e -> e.result().status() == Status.ERROR).count()));
        xml.writeAttribute("skipped", String.valueOf(entries.stream().filter(e -> e.result().status() == Status.NOT_APPLICABLE
                || e.result().status() == Status.NEEDS_CONFIGURATION).count()));
    }

    private static void testCase(XMLStreamWriter xml, ScanReport.Entry entry) throws XMLStreamException {
        ControlResult result = entry.result();
        xml.writeCharacters("    ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", result.control().id());
        xml.writeAttribute("name", entry.manifest().displayName());
        xml.writeAttribute("file", entry.manifest().source());
        xml.writeAttribute("line", String.valueOf(entry.manifest().line()));
        switch (result.status()) {
            case FAIL -> {
                xml.writeStartElement("failure");
                xml.writeAttribute("message", result.message());
                xml.writeAttribute("type", result.control().severity().name().toLowerCase(Locale.ROOT));
                StringBuilder text = new StringBuilder();
                for (Finding finding : result.findings()) {
                    text.append(finding.path()).append(finding.container() == null ? "" : " (container " + finding.container() + ")")
                            .append(": ").append(finding.message()).append('\n');
                }
                text.append("Remediation: ").append(result.control().remediation());
                xml.writeCharacters(text.toString());
                xml.writeEndElement();
            }
            case ERROR -> {
                xml.writeStartElement("error");
                xml.writeAttribute("message", result.message());
                xml.writeEndElement();
            }
            case NOT_APPLICABLE, NEEDS_CONFIGURATION -> {
                xml.writeStartElement("skipped");
                xml.writeAttribute("message", result.message());
                xml.writeEndElement();
            }
            default -> {
                // PASS (and EXEMPT, applied later) need no child element.
            }
        }
        xml.writeEndElement();
        xml.writeCharacters("\n");
    }
}
