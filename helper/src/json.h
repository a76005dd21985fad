/* json.h - a bounded JSON writer into memory; the helper prints exactly one object at the end. */
#ifndef VBH_JSON_H
#define VBH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBH_JSON_MAX (4u * 1024u * 1024u)

struct jbuf {
	char *data;
	size_t len;
	size_t cap;
	bool overflow;     /* set when VBH_JSON_MAX would be exceeded or allocation failed */
	bool need_comma;   /* a value was written at the current nesting level */
};

void j_init(struct jbuf *j);
void j_free(struct jbuf *j);
void j_obj_begin(struct jbuf *j);           /* value: { */
void j_obj_end(struct jbuf *j);
void j_arr_begin(struct jbuf *j);
void j_arr_end(struct jbuf *j);
void j_key(struct jbuf *j, const char *key); /* "key": (next call writes the value) */
void j_str(struct jbuf *j, const char *s);
void j_strn(struct jbuf *j, const char *s, size_t n);
void j_int(struct jbuf *j, long long v);
void j_uint(struct jbuf *j, unsigned long long v);
void j_bool(struct jbuf *j, bool v);
void j_null(struct jbuf *j);
void j_raw(struct jbuf *j, const char *s, size_t n); /* already-valid JSON value */

/* Convenience: key + value. */
void j_kstr(struct jbuf *j, const char *k, const char *v);
void j_kint(struct jbuf *j, const char *k, long long v);
void j_kuint(struct jbuf *j, const char *k, unsigned long long v);
void j_kbool(struct jbuf *j, const char *k, bool v);

#endif
