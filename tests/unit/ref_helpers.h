/* What the tests against R's reference files share: reading a reference
 * CSV or a model file, and finding a table of an analysis by its id.
 * Include after <cmocka.h> and "brisk.h". */
#ifndef BRISK_REF_HELPERS_H
#define BRISK_REF_HELPERS_H

#include <stdio.h>
#include <string.h>

/* A small text file (a model), in a buffer reused by the next call. */
static inline char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("%s: cannot open", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static inline brisk_dataset *read_csv(const char *path)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_read_file(path, NULL, &ds, &err) != BRISK_OK)
        fail_msg("%s: %s", path, err.message);
    return ds;
}

/* tests/data/bfi.csv with the items psych's bfi.keys reverses among the
 * reference models' (A1, C4, C5) recoded 7 - x, as the reference scripts
 * read it. */
static inline brisk_dataset *read_bfi_reversed(void)
{
    brisk_dataset *ds = read_csv(TEST_SRCDIR "/tests/data/bfi.csv");
    const char *reversed[] = {"A1", "C4", "C5"};
    for (size_t k = 0; k < 3; k++) {
        brisk_column *c = brisk_dataset_find(ds, reversed[k]);
        for (size_t i = 0; i < ds->nrows; i++)
            if (!brisk_is_missing(c, i))
                c->num[i] = 7 - c->num[i];
    }
    return ds;
}

/* Cell i of a reference column as text (a number as %g, so that codes
 * read as numbers compare with level names). */
static inline const char *ref_text(const brisk_dataset *d, const char *col, size_t i)
{
    const brisk_column *c = brisk_dataset_find(d, col);
    if (!c)
        fail_msg("no column %s in the reference", col);
    static char buf[64];
    if (c->type == BRISK_STRING)
        return c->str[i];
    snprintf(buf, sizeof buf, "%g", c->num[i]);
    return buf;
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
