/* limits.h - locked-memory limits: the pam_limits drop-in of a user, the RLIMIT_MEMLOCK of a process. */
#ifndef VBH_LIMITS_H
#define VBH_LIMITS_H

#include <stddef.h>

#include "json.h"
#include "sysfs.h"

/* The drop-in text for user and KiB (pure, unit-tested). Returns length or -1. */
int memlock_dropin_text(const char *user, unsigned long long kib, char *out, size_t size);

/* Atomically writes or removes <root>/etc/security/limits.d/90-vfio-broker-<user>.conf. */
int memlock_user_write(struct host *h, const char *user, unsigned long long kib, struct jbuf *j);
int memlock_user_remove(struct host *h, const char *user, struct jbuf *j);

#endif
