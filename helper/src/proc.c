/* proc.c - process scanning through the real /proc. */
#include "proc.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int kb_field(const char *v, unsigned long long *bytes)
{
	/* "   1234 kB" */
	while (*v == ' ' || *v == '\t')
		v++;
	char num[24];
	size_t n = 0;
	while (v[n] >= '0' && v[n] <= '9') {
		if (n + 1 >= sizeof num)
			return -1;
		num[n] = v[n];
		n++;
	}
	num[n] = '\0';
	if (n == 0 || strcmp(v + n, " kB") != 0)
		return -1;
	unsigned long long kb;
	if (parse_uint(num, (1ull << 53), "status kB", &kb) < 0) {
		vbh_fail_reset();
		return -1;
	}
	*bytes = kb * 1024u;
	return 0;
}

int parse_status(const char *text, struct proc_status *st)
{
	memset(st, 0, sizeof *st);
	bool have_uid = false, have_name = false;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		if (ll < sizeof line) {
			memcpy(line, p, ll);
			line[ll] = '\0';
			if (strncmp(line, "Name:\t", 6) == 0) {
				size_t cl = strlen(line + 6);
				if (cl < sizeof st->comm) {
					memcpy(st->comm, line + 6, cl + 1);
					have_name = true;
				}
			} else if (strncmp(line, "Uid:\t", 5) == 0) {
				char num[16];
				size_t k = 0;
				const char *v = line + 5;
				while (v[k] >= '0' && v[k] <= '9' && k + 1 < sizeof num) {
					num[k] = v[k];
					k++;
				}
				num[k] = '\0';
				uint32_t u;
				if (k > 0 && (v[k] == '\t' || v[k] == '\0') && parse_uid(num, "uid", &u) == 0) {
					st->ruid = u;
					have_uid = true;
				} else {
					vbh_fail_reset();
				}
			} else if (strncmp(line, "VmLck:", 6) == 0) {
				if (kb_field(line + 6, &st->vmlck_bytes) < 0)
					return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse status: VmLck");
			} else if (strncmp(line, "VmPin:", 6) == 0) {
				if (kb_field(line + 6, &st->vmpin_bytes) < 0)
					return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse status: VmPin");
			}
		}
		p = nl ? nl + 1 : p + ll;
	}
	if (!have_uid || !have_name)
		return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse status: no Name or Uid line");
	return 0;
}

static ssize_t read_small(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		if (len + 1 >= size) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

int proc_read(int piddirfd, struct proc_status *st)
{
	char buf[8192];
	if (read_small(piddirfd, "status", buf, sizeof buf) < 0)
		return vbh_fail(errno == ESRCH || errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				"process-not-found", errno, "read process status");
	if (parse_status(buf, st) < 0)
		return -1;
	char sb[2048];
	if (read_small(piddirfd, "stat", sb, sizeof sb) < 0)
		return vbh_fail(EX_HELPER_NOTFOUND, "process-not-found", errno, "read process stat");
	/* comm may hold spaces and ')' : fields start after the last ')'. starttime is field 22. */
	char *rp = strrchr(sb, ')');
	if (!rp)
		return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse stat: no ')'");
	char *save = NULL;
	int field = 2;
	for (char *t = strtok_r(rp + 1, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 22) {
			char *end = NULL;
			errno = 0;
			st->starttime = strtoull(t, &end, 10);
			if (errno != 0 || end == t || *end != '\0')
				return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse stat: starttime");
			return 0;
		}
	}
	return vbh_fail(EX_HELPER_INTERNAL, "malformed-status", 0, "parse stat: too few fields");
}

bool proc_holds(int piddirfd, const struct node_id *nodes, size_t nnodes)
{
	int fdd = openat(piddirfd, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fdd < 0)
		return false; /* gone, or a kernel thread */
	DIR *dir = fdopendir(fdd);
	if (!dir) {
		close(fdd);
		return false;
	}
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		struct stat st;
		/* The magic link leads to the open file itself: compare device and inode. */
		if (fstatat(fdd, de->d_name, &st, 0) < 0)
			continue;
		for (size_t i = 0; i < nnodes; i++)
			if (st.st_dev == nodes[i].dev && st.st_ino == nodes[i].ino)
				found = true;
	}
	closedir(dir);
	return found;
}

int find_holders(struct host *h, const struct node_id *nodes, size_t nnodes, struct holder *out, size_t max,
		 size_t *count)
{
	*count = 0;
	if (nnodes == 0)
		return 0;
	int pd = dup(h->procfd);
	if (pd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "scan processes: dup /proc");
	DIR *dir = fdopendir(pd);
	if (!dir) {
		close(pd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "scan processes: list /proc");
	}
	rewinddir(dir);
	struct dirent *de;
	pid_t self = getpid();
	int rc = 0;
	while ((de = readdir(dir)) != NULL) {
		unsigned long long pid;
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || parse_uint(de->d_name, VBH_PID_MAX, "pid", &pid) < 0) {
			vbh_fail_reset();
			continue;
		}
		if ((pid_t)pid == self)
			continue;
		int pfd = openat(h->procfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (pfd < 0)
			continue;
		if (proc_holds(pfd, nodes, nnodes)) {
			struct holder hd = { .pid = (pid_t)pid };
			if (proc_read(pfd, &hd.st) == 0) {
				if (*count == max) {
					close(pfd);
					rc = vbh_fail(EX_HELPER_INTERNAL, "too-many-holders", 0,
						      "scan processes: more than %zu holders", max);
					break;
				}
				out[(*count)++] = hd;
			} else {
				vbh_fail_reset(); /* exited meanwhile */
			}
		}
		close(pfd);
	}
	closedir(dir);
	return rc;
}

void holder_json(struct jbuf *j, const struct holder *hd)
{
	j_obj_begin(j);
	j_kint(j, "pid", hd->pid);
	j_kuint(j, "uid", hd->st.ruid);
	j_kstr(j, "comm", hd->st.comm);
	j_kuint(j, "vmLckBytes", hd->st.vmlck_bytes);
	j_kuint(j, "vmPinBytes", hd->st.vmpin_bytes);
	j_obj_end(j);
}
