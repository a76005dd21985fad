/** Operations plumbing: actuator health indicators and metrics that belong to no single feature. */
package org.vfiobroker.ops;
