package dev.kubeproof.controls.cel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class ControlsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new ControlsCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void shouldRunTheFilesOwnCasesAndSayWhichPassed() {
        int exit = run("test", "src/test/resources/custom-controls/good");
        assertThat(exit).as(out + "" + err).isZero();
        assertThat(out.toString()).contains("ok   ACME-LBL-001     unlabelled: expected FAIL, got FAIL")
                .contains("VAP-DEMO-POLICY-EXAMPLE-COM no cases").contains("2 control(s), 4 case(s), 0 failed");
    }

    @Test
    void shouldFailACaseWhoseExpectationTheControlDoesNotMeet(@TempDir Path tmp) throws Exception {
        // Given the cost-center control with one case's expectation turned around
        Path file = tmp.resolve("wrong.yaml");
        Files.writeString(file, Files.readString(Path.of("src/test/resources/custom-controls/good/cost-center.yaml"))
                .replaceFirst("expect: PASS", "expect: FAIL"));
        // When tested
        int exit = run("test", file.toString());
        // Then the case is named with what it got
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL ACME-LBL-001     labelled with an allowed cost center: expected FAIL, "
                + "got PASS").contains("1 failed");
    }

    @Test
    void shouldAddATestedFileToTheDirectoryAndRefuseABrokenOne(@TempDir Path tmp) {
        Path directory = tmp.resolve("controls");
        assertThat(run("add", "src/test/resources/custom-controls/good/cost-center.yaml", "--to", directory.toString()))
                .as(out + "" + err).isZero();
        assertThat(directory.resolve("cost-center.yaml")).exists();
        assertThat(run("add", "src/test/resources/custom-controls/broken/not-bool.yaml", "--to", directory.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("must be a bool expression");
        assertThat(directory.resolve("not-bool.yaml")).doesNotExist();
        assertThat(run("list", "--controls", directory.toString())).isZero();
        assertThat(out.toString()).contains("ACME-LBL-001").contains("(1 custom)");
    }
}
