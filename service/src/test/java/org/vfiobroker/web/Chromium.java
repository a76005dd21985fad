package org.vfiobroker.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. Both paths are given to Selenium, so
 * Selenium Manager never runs and nothing is downloaded. Override with the system properties
 * {@code vfio-broker.test.chromium} and {@code vfio-broker.test.chromedriver}. When either is missing the
 * browser tests fail (they are never skipped) and say what to install.
 */
final class Chromium {

    static final Path BINARY = Path.of(System.getProperty("vfio-broker.test.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("vfio-broker.test.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {
    }

    /** Starts a fresh browser (own temporary profile) with a laptop-sized window. */
    static ChromeDriver start(Path userDataDir) {
        requireExecutable(BINARY, "chromium");
        requireExecutable(DRIVER, "chromium-driver");
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        try {
            Files.createDirectories(userDataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + userDataDir.toAbsolutePath(), "--window-size=1366,900", "--lang=en-US");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static void requireExecutable(Path path, String debianPackage) {
        if (!Files.isExecutable(path)) {
            throw new AssertionError("The dashboard's browser tests need " + path + ", which is missing: install "
                    + "the Debian packages chromium and chromium-driver (apt-get install chromium chromium-driver), "
                    + "or point -Dvfio-broker.test.chromium / -Dvfio-broker.test.chromedriver at them. Missing "
                    + "package: " + debianPackage + ".");
        }
    }
}
