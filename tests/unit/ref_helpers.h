/* What the tests against R's reference files share: reading a reference
 * CSV and finding a table of an analysis by its id.  Include after
 * <cmocka.h> and "brisk.h". */
#ifndef BRISK_REF_HELPERS_H
#define BRISK_REF_HELPERS_H

#include <string.h>

static inline brisk_dataset *read_csv(const char *path)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    return ds;
}

static inline const brisk_table *table(const brisk_table_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->tables[i]->id, id) == 0)
            return list->tables[i];
    fail_msg("no table %s", id);
    return NULL;
}

#endif
