/* brisk — benefit–risk–trust kit: the umbrella header of libbrisk. */
#ifndef BRISK_H
#define BRISK_H

#define BRISK_VERSION "0.1.0"

#include "brisk/error.h"
#include "brisk/io.h"
#include "brisk/dataset.h"
#include "brisk/table.h"
#include "brisk/syntax.h"
#include "brisk/model.h"
#include "brisk/survey.h"
#include "brisk/stats.h"
#include "brisk/sim.h"
#include "brisk/regress.h"
#include "brisk/report.h"

#endif
