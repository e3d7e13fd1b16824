/* The host's variable store: a table in struct fw that tests fill and read. */
#include <string.h>

#include "firmware/host/host.h"
#include "firmware/vars.h"
#include "lib/error.h"
#include "lib/fmt.h"

static struct host_var *find(struct fw *fw, const char *name)
{
	size_t i;

	for (i = 0; i < fw->n_vars; i++)
		if (!strcmp(fw->vars[i].name, name))
			return &fw->vars[i];
	return NULL;
}

int fw_var_get(struct fw *fw, const char *name, void *buf, size_t cap,
	       size_t *len, char *why, size_t whylen)
{
	struct host_var *v = find(fw, name);

	*len = 0;
	if (fw->var_error) {
		fmt_buf(why, whylen, "EFI_DEVICE_ERROR");
		return fw->var_error;
	}
	if (!v)
		return BT_ENOENT;
	*len = v->len;
	if (v->len > cap)
		return BT_ETOOBIG;
	memcpy(buf, v->data, v->len);
	return 0;
}

int fw_var_set(struct fw *fw, const char *name, const void *data, size_t len,
	       bool persistent, char *why, size_t whylen)
{
	struct host_var *v = find(fw, name);

	if (fw->var_error) {
		fmt_buf(why, whylen, "EFI_DEVICE_ERROR");
		return fw->var_error;
	}
	if (!len) {
		if (v)
			*v = fw->vars[--fw->n_vars];
		fw->var_writes++;
		return 0;
	}
	if (!v && fw->n_vars == sizeof(fw->vars) / sizeof(fw->vars[0]))
		v = NULL;
	else if (!v)
		v = &fw->vars[fw->n_vars++];
	if (!v || len > sizeof(v->data) || strlen(name) >= sizeof(v->name)) {
		fmt_buf(why, whylen, "EFI_OUT_OF_RESOURCES");
		return BT_EIO;
	}
	strcpy(v->name, name);
	memcpy(v->data, data, len);
	v->len = len;
	v->persistent = persistent;
	fw->var_writes++;
	return 0;
}

void fw_firmware_id(struct fw *fw, char *info, size_t infolen, char *type,
		    size_t typelen)
{
	fmt_buf(info, infolen, "baton host 1.00");
	fmt_buf(type, typelen, "UEFI 2.70");
}
