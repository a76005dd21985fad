package org.vfiobroker.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.vfiobroker.support.DemoHostTest;

/**
 * The application on a random port on the demo profile (sample workstation, simulated host), driven by a
 * real headless Chromium. One browser per test class, quit in {@link AfterAll}; cookies are cleared before
 * each test so every test logs in itself. Screenshots go to {@code target/screenshots}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "vfio-broker.data-dir=target/test-data/${random.uuid}",
        "spring.datasource.url=jdbc:h2:mem:${random.uuid};DB_CLOSE_DELAY=-1",
        "vfio-broker.security.initial-admin-password=" + DemoHostTest.ADMIN_PASSWORD})
@ActiveProfiles("demo")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.springframework.context.annotation.Import(BrowserUnixUsers.class)
abstract class BrowserTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration WAIT = Duration.ofSeconds(15);

    @LocalServerPort
    int port;

    ChromeDriver browser;

    @BeforeAll
    void startBrowser() {
        browser = Chromium.start(Path.of("target", "chromium-profiles", UUID.randomUUID().toString()));
    }

    @AfterAll
    void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void freshSession() {
        browser.get(url("/login"));
        browser.manage().deleteAllCookies();
        browser.manage().window().setSize(new Dimension(1366, 900));
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    void open(String path) {
        browser.get(url(path));
    }

    void logIn(String username, String password) {
        open("/login");
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(() -> !browser.getCurrentUrl().contains("/login"));
    }

    void logInAsAdmin() {
        logIn("admin", DemoHostTest.ADMIN_PASSWORD);
    }

    WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    WebElement waitFor(String css) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    void waitUntil(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, WAIT).until(d -> condition.getAsBoolean());
    }

    void waitForText(String css, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeAsyncScript(js, args);
    }

    String pageText() {
        return find("body").getText();
    }

    /** The whole page at the current width, as {@code target/screenshots/<name>.png}. */
    Path screenshot(String name) {
        Dimension before = browser.manage().window().getSize();
        long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
        browser.manage().window().setSize(new Dimension(before.width, (int) Math.min(Math.max(height + 120, 600), 6000)));
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(target)).isPositive();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(before);
        }
    }

    /** The first screen of the page as a phone shows it (390 x 844). */
    Path phoneScreenshot(String name) {
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(before);
        }
    }
}
