/*
 * writelog.so - test-only LD_PRELOAD shim: logs every write(2) the helper makes to a file under
 * the fixture root, in order, as "<path relative to root>\t<content, \n escaped>". It lets the
 * integration tests check the exact sysfs writes and their order. Not part of any helper build.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_path[4096];
static char root[4096];

__attribute__((constructor)) static void init(void)
{
	const char *l = getenv("VBH_WRITELOG"), *r = getenv("VBH_WRITELOG_ROOT");
	if (l && r && strlen(l) < sizeof log_path && strlen(r) < sizeof root) {
		strcpy(log_path, l);
		strcpy(root, r);
	}
}

static void record(int fd, const char *buf, size_t n)
{
	char link[64], target[4096];
	static const char digits[] = "0123456789";
	char num[16];
	int k = 0, v = fd;
	do {
		num[k++] = digits[v % 10];
		v /= 10;
	} while (v && k < 15);
	strcpy(link, "/proc/self/fd/");
	size_t p = strlen(link);
	while (k)
		link[p++] = num[--k];
	link[p] = '\0';
	long t = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
	if (t <= 0)
		return;
	target[t] = '\0';
	size_t rl = strlen(root);
	if (strncmp(target, root, rl) != 0 || target[rl] != '/')
		return;
	char line[8192];
	size_t o = 0;
	const char *rel = target + rl + 1;
	size_t rel_len = strlen(rel);
	if (rel_len > 4000)
		return;
	memcpy(line, rel, rel_len);
	o = rel_len;
	line[o++] = '\t';
	for (size_t i = 0; i < n && o < sizeof line - 3; i++) {
		if (buf[i] == '\n') {
			line[o++] = '\\';
			line[o++] = 'n';
		} else {
			line[o++] = buf[i];
		}
	}
	line[o++] = '\n';
	long lfd = syscall(SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0)
		return;
	syscall(SYS_write, (int)lfd, line, o);
	syscall(SYS_close, (int)lfd);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (log_path[0] && fd > 2)
		record(fd, buf, n);
	return (ssize_t)syscall(SYS_write, fd, buf, n);
}
