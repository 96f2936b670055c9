/* LaTeX writer (being written). */
#include <config.h>
#include "export_internal.h"

brisk_status brisk_write_tex(FILE *f, const brisk_table_list *list)
{
    (void)f;
    (void)list;
    return BRISK_ERR_ARGUMENT;
}
