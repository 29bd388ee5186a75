/* Release builds only. Debian's libgit2.a is built with GSSAPI (Kerberos "Negotiate" auth for
 * HTTP remotes) and Debian ships no static libgssapi_krb5, so the self-contained binary links
 * these stand-ins instead: every call fails with GSS_S_FAILURE, and libgit2 then reports that
 * Negotiate authentication is unavailable. mlci reads local repositories; nothing else changes. */
#include <stddef.h>

#define GSS_S_FAILURE (13u << 16)

void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

#define MLCI_GSS_STUB(name) \
    unsigned int name(unsigned int *minor, ...) { if (minor) *minor = 0; return GSS_S_FAILURE; }

MLCI_GSS_STUB(gss_delete_sec_context)
MLCI_GSS_STUB(gss_display_status)
MLCI_GSS_STUB(gss_import_name)
MLCI_GSS_STUB(gss_indicate_mechs)
MLCI_GSS_STUB(gss_init_sec_context)
MLCI_GSS_STUB(gss_release_buffer)
MLCI_GSS_STUB(gss_release_name)
MLCI_GSS_STUB(gss_release_oid_set)
