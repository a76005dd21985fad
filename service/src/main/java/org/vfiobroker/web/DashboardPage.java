package org.vfiobroker.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller of the dashboard's HTML pages: its errors are shown as a page in the layout
 * ({@link PageExceptionHandler}), not as a problem-details document.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DashboardPage {
}
