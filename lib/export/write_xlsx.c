/* xlsx writer (being written). */
#include <config.h>
#include "export_internal.h"

brisk_status brisk_write_xlsx(const char *path, const brisk_table_list *list, brisk_error *err)
{
    (void)path;
    (void)list;
    return brisk_error_set(err, BRISK_ERR_ARGUMENT, "xlsx is not available yet");
}
