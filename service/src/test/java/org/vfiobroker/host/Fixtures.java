package org.vfiobroker.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the helper's fixture trees (helper/tests/fixture.sh, the one fixture builder) for the
 * Java tests, and finds the helper's test build. The reactor builds helper/ before service/.
 */
final class Fixtures {

    static final Path HELPER_DIR = Path.of("").toAbsolutePath().resolveSibling("helper");
    static final Path TEST_BUILD = HELPER_DIR.resolve("target/vfio-broker-helper-test");

    private Fixtures() {
    }

    static Path testBuild() {
        assertThat(TEST_BUILD)
                .as("the helper's test build; build it first: ./mvnw -pl helper,service -am verify (or make -C helper)")
                .isExecutable();
        return TEST_BUILD;
    }

    /** A fresh fixture tree (topology documented in helper/tests/fixture.sh). */
    static Path tree(Path dir) {
        shell(dir, "mkfixture \"$ROOT\"");
        return dir;
    }

    /** What the kernel does after a bind: driver link to vfio-pci, node root 0600. */
    static void bound(Path root, String address, int group) {
        shell(root, "fx_bound \"$ROOT\" " + address + " " + group);
    }

    private static void shell(Path root, String command) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                ". \"$FIXTURE\" && " + command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FIXTURE", HELPER_DIR.resolve("tests/fixture.sh").toString());
        pb.environment().put("ROOT", root.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("fixture: " + out).isZero();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path script(Path dir, String name, String body) throws IOException {
        Path s = dir.resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        s.toFile().setExecutable(true);
        return s;
    }
}
