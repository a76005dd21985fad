/* devnodes.h - /dev/vfio/<group>, /dev/vfio/devices/vfioX and /dev/vfio/vfio. */
#ifndef VBH_DEVNODES_H
#define VBH_DEVNODES_H

#include <stdbool.h>
#include <sys/stat.h>

#include "json.h"
#include "sysfs.h"

struct node_state {
	bool exists;
	uid_t uid;
	gid_t gid;
	unsigned mode;
};

/* Reports the node's state without changing it ("dev/vfio/<name>", relative to the root). */
int node_stat(struct host *h, const char *dir, const char *name, struct node_state *st);

/* fstatat + S_ISCHR (test build: S_ISREG too) + fchownat + fchmodat, all relative to the directory fd. */
int node_set_owner(struct host *h, const char *dir, const char *name, uid_t uid, gid_t gid, unsigned mode,
		   struct node_state *after);

/* Lists the vfio cdev names (vfioX) of a device from <dev>/vfio-dev/. Returns the count or -1. */
int device_cdevs(const struct pci_dev *d, char names[][32], int max);

/* Writes {"path","exists","uid","gid","mode"} as a JSON value. */
void node_json(struct jbuf *j, const char *path, const struct node_state *st);

/* Is /dev/vfio/vfio present and mode 0666 (usable by unprivileged users)? */
void container_json(struct host *h, struct jbuf *j);

#endif
