/*
 * vfio-broker-helper - the only privileged code of vfio-broker.
 *
 * Read main() as the security argument:
 *   1. sanitize the process: standard fds open, no inherited fds, empty environment, no new
 *      privileges, umask 077;
 *   2. parse argv strictly (reject, never truncate);
 *   3. load the root-owned policy file and refuse if it is writable by anyone else;
 *   4. check that the real uid is the policy's caller account, then drop to pure root;
 *   5. act: each verb re-validates its objects against the real tree and the policy;
 *   6. report: exactly one JSON object on stdout, and a documented exit code.
 */
#include "args.h"
#include "fail.h"
#include "json.h"
#include "policy.h"
#include "sysfs.h"
#include "verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VBH_VERSION
#define VBH_VERSION "0.1.0"
#endif

#ifdef VBH_TEST_BUILD
#define VBH_BUILD_KIND "test"
#else
#define VBH_BUILD_KIND "production"
#endif

static void emit(const char *verb, struct jbuf *body, struct jbuf *reasons)
{
	struct jbuf j;
	j_init(&j);
	j_obj_begin(&j);
	bool ok = vbh_fail_state.exit_code == 0 && !body->overflow && !reasons->overflow;
	if (vbh_fail_state.exit_code == 0 && !ok)
		vbh_fail(EX_HELPER_INTERNAL, "output-too-large", 0, "report: result larger than %u bytes", VBH_JSON_MAX);
	j_kbool(&j, "ok", ok);
	j_kstr(&j, "verb", verb);
	j_kint(&j, "exitCode", ok ? 0 : vbh_fail_state.exit_code);
	if (ok) {
		if (body->len)
			j_raw(&j, body->data, body->len);
	} else {
		j_key(&j, "error");
		j_obj_begin(&j);
		j_kstr(&j, "code", vbh_fail_state.code);
		j_kstr(&j, "message", vbh_fail_state.message);
		j_kint(&j, "errno", vbh_fail_state.err);
		j_key(&j, "reasons");
		j_arr_begin(&j);
		if (reasons->len && !reasons->overflow)
			j_raw(&j, reasons->data, reasons->len);
		j_arr_end(&j);
		j_obj_end(&j);
		if (body->len && !body->overflow) {
			/* What was done before the failure, so the caller can undo or retry. */
			j_key(&j, "partial");
			j_obj_begin(&j);
			j_raw(&j, body->data, body->len);
			j_obj_end(&j);
		}
	}
	j_obj_end(&j);
	if (j.overflow) {
		fputs("{\"ok\":false,\"verb\":\"none\",\"exitCode\":70,\"error\":{\"code\":\"output-too-large\","
		      "\"message\":\"report: output too large\",\"errno\":0,\"reasons\":[]}}\n",
		      stdout);
	} else {
		fwrite(j.data, 1, j.len, stdout);
		fputc('\n', stdout);
	}
	fflush(stdout);
	j_free(&j);
}

static int finish(const char *verb, struct jbuf *body, struct jbuf *reasons)
{
	emit(verb, body, reasons);
	int code = vbh_fail_state.exit_code;
	if (ferror(stdout))
		code = EX_HELPER_SYSCALL;
	j_free(body);
	j_free(reasons);
	return code;
}

/* 0, 1, 2 must be open, or a file we open would receive our output; nothing else is inherited. */
static int sanitize_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (n != fd)
				return -1;
			/* Keep it across nothing: we never exec. */
		}
	}
	if (close_range(3, ~0U, 0) < 0 && errno != ENOSYS)
		return -1;
	return 0;
}

static int check_caller(const struct policy *pol)
{
	errno = 0;
	struct passwd *pw = getpwnam(pol->caller);
	if (!pw)
		return vbh_fail(EX_HELPER_CALLER, "caller-unknown", errno, "check caller: account %s does not exist",
				pol->caller);
	uid_t ruid = getuid();
	if (pw->pw_uid != ruid)
		return vbh_fail(EX_HELPER_CALLER, "caller-not-allowed", 0,
				"check caller: uid %u is not the configured caller %s", (unsigned)ruid, pol->caller);
	/* Become plain root for the action, so the caller cannot signal or trace us meanwhile. */
	if (geteuid() == 0 && ruid != 0) {
		if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "check caller: drop to root identity");
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct jbuf body, reasons;
	j_init(&body);
	j_init(&reasons);

	/* 1. The process: nothing inherited is trusted. */
	if (sanitize_fds() < 0)
		return EX_HELPER_SYSCALL;
	if (clearenv() != 0) {
		vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "start: clear environment");
		return finish("none", &body, &reasons);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "start: set no_new_privs");
		return finish("none", &body, &reasons);
	}
	umask(077);

	/* 2. The request. */
	struct request req;
	if (args_parse(argc, argv, &req) < 0)
		return finish("none", &body, &reasons);
	if (req.verb == V_VERSION) {
		j_kstr(&body, "version", VBH_VERSION);
		j_kstr(&body, "build", VBH_BUILD_KIND);
		return finish(req.verb_name, &body, &reasons);
	}

	/* 3. The policy file, root-owned and writable by nobody else. */
	struct host host;
	static struct policy pol;
	if (host_open(req.root, &host) < 0 || policy_load(host.rootfd, &pol) < 0) {
		host_close(&host);
		return finish(req.verb_name, &body, &reasons);
	}

	/* 4. The caller. */
	if (check_caller(&pol) < 0) {
		host_close(&host);
		return finish(req.verb_name, &body, &reasons);
	}

	/* 5. The action. */
	struct ctx c = { .req = &req, .host = &host, .pol = &pol, .out = &body, .reasons = &reasons };
	run_verb(&c);
	host_close(&host);

	/* 6. The report. */
	return finish(req.verb_name, &body, &reasons);
}
