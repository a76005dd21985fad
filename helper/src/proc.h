/* proc.h - processes: status fields, holders of a group's nodes, termination. Always the real /proc. */
#ifndef VBH_PROC_H
#define VBH_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "sysfs.h"

struct proc_status {
	uid_t ruid;
	char comm[64];
	unsigned long long vmlck_bytes, vmpin_bytes;
	unsigned long long starttime; /* field 22 of stat, to detect pid reuse */
};

/* Parses the text of /proc/<pid>/status (pure, unit-tested). */
int parse_status(const char *text, struct proc_status *st);

/* Reads status and start time through a /proc/<pid> directory fd. */
int proc_read(int piddirfd, struct proc_status *st);

struct node_id {
	dev_t dev;
	ino_t ino;
};

#define VBH_HOLDERS_MAX 256

struct holder {
	pid_t pid;
	struct proc_status st;
};

/* Every process with an open fd on one of the nodes (matched by device and inode). */
int find_holders(struct host *h, const struct node_id *nodes, size_t nnodes, struct holder *out, size_t max,
		 size_t *count);

/* Does the process behind this /proc/<pid> directory fd hold one of the nodes? */
bool proc_holds(int piddirfd, const struct node_id *nodes, size_t nnodes);

void holder_json(struct jbuf *j, const struct holder *hd);

#endif
