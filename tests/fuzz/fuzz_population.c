/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the population-model reader of brisk simulate
 * (lib/sim/population.c) and the data drawn from it (lib/sim/simulate.c).
 *
 * The input is a population model (lavaan syntax with values and
 * thresholds; an input with a NUL byte is skipped, as the program refuses
 * it).  It is read as is and standardized; the first is drawn for 25
 * respondents, once continuous with missing cells and once cut into five
 * categories, and the data are written as CSV to /dev/null. */
#include <config.h>
#include <stdlib.h>
#include "brisk/dataset.h"
#include "brisk/sim.h"
#include "fuzz.h"

static void draw(brisk_population *pop, const brisk_simulate_options *opt)
{
    brisk_dataset *ds = NULL;
    brisk_error err;
    if (brisk_simulate(pop, opt, &ds, &err) == BRISK_OK)
        brisk_write_dataset_csv(fuzz_null(), ds, ',', false, &err);
    brisk_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    brisk_population *pop = NULL;
    brisk_error err;
    if (brisk_population_new(text, &(brisk_population_options){.name = "fuzz.lav"}, &pop,
                             &err) == BRISK_OK) {
        for (size_t i = 0; i < brisk_population_nwarnings(pop); i++)
            (void)brisk_population_warning(pop, i);
        draw(pop, &(brisk_simulate_options){.n = 25, .seed = 20241206, .missing = 0.1,
                                            .digits = 3});
        draw(pop, &(brisk_simulate_options){.n = 25, .seed = 7, .likert = 5, .digits = -1});
        brisk_population_free(pop);
    }
    pop = NULL;
    if (brisk_population_new(text, &(brisk_population_options){.standardized = true,
                                                               .name = "fuzz.lav"},
                             &pop, &err) == BRISK_OK)
        brisk_population_free(pop);
    free(text);
    return 0;
}
