# SPDX-License-Identifier: GPL-3.0-or-later
# make.R -- reference values for `brisk interviews`, computed in R from the
# bundled REFI-QDA projects, independently of brisk's C code.
#
# Run from the top of the source tree (a few seconds):
#
#     Rscript tests/reference/interviews/make.R
#
# `make check` does not need R: tests/cli/interviews_reference.sh compares
# brisk's CSV output with the committed values.csv.  Versions used: see
# README.md.  Needs the R packages xml2 (Debian r-cran-xml2) and psych
# (r-cran-psych); irr is not needed: its formulas are written out below
# (with the places they come from).
#
# Reads
#   surveys/ahmed2017/ahmed2017.qdpx       7 participants, 2 coders
#   surveys/rongcheng/interviews.qdpx      20 residents, 2 coders on 6
#   surveys/rongcheng/rongcheng.survey     (+ rongcheng.csv) for the joint display
# and writes tests/reference/interviews/values.csv with the columns
#   project,table,code,key,value
# (value with 12 significant digits; NA = undefined, printed empty by brisk).
#
# The definitions are those of doc/interviews.md:
# - a participant is a case (Case/SourceRef); a source in no case is a
#   participant of its own;
# - a participant raised a code when any coder applied it, or a code under
#   it, in one of the participant's sources;
# - words: runs of non-blank characters, each CJK character a word of its
#   own, on the selected text sliced by code points from the source;
# - agreement: per code, a units x coders matrix of 1 (the coder applied
#   the code or one under it in the unit), 0 (coded the unit, not with it)
#   and NA (did not code the unit), at three units: participant, source and
#   segment (overlapping selections of any coder in one source, directly or
#   through another, form one unit; a coder coded a segment when the coder
#   has any coding in its source).

suppressPackageStartupMessages({
    library(xml2)
    library(psych)
})
stopifnot(file.exists("tests/reference/interviews/make.R"))  # run from the top
out_path <- "tests/reference/interviews/values.csv"

## ------------------------------------------------ reading a .qdpx ----

read_text_utf8 <- function(path) {
    raw <- readBin(path, "raw", file.size(path))
    if (length(raw) >= 3 && all(raw[1:3] == as.raw(c(0xEF, 0xBB, 0xBF))))
        stop(path, ": starts with a byte-order mark; this script does not handle it")
    txt <- rawToChar(raw)
    Encoding(txt) <- "UTF-8"
    stopifnot(validUTF8(txt))
    utf8ToInt(txt)  # code points
}

read_qdpx <- function(file) {
    dir <- tempfile("qdpx")
    dir.create(dir)
    on.exit(unlink(dir, recursive = TRUE))
    utils::unzip(file, exdir = dir)
    qde <- list.files(dir, pattern = "\\.qde$", full.names = TRUE)
    stopifnot(length(qde) == 1)
    doc <- read_xml(qde)
    xml_ns_strip(doc)
    G <- function(x) toupper(x)  # GUIDs compared without regard to case

    users <- xml_find_all(doc, "/Project/Users/User")
    user_name <- setNames(xml_attr(users, "name"), G(xml_attr(users, "guid")))

    # codes, in document order (depth first), with their parents
    code_nodes <- xml_find_all(doc, "/Project/CodeBook/Codes//Code")
    code_guid <- G(xml_attr(code_nodes, "guid"))
    code_parent <- vapply(code_nodes, function(n) {
        p <- xml_parent(n)
        if (xml_name(p) == "Code") G(xml_attr(p, "guid")) else NA_character_
    }, "")
    code_name <- xml_attr(code_nodes, "name")
    codes <- data.frame(guid = code_guid, name = code_name, parent = code_parent,
                        stringsAsFactors = FALSE)
    codes$parent_i <- match(codes$parent, codes$guid)
    codes$path <- NA_character_
    for (i in seq_len(nrow(codes))) {  # parents come first in document order
        p <- codes$parent_i[i]
        codes$path[i] <- if (is.na(p)) codes$name[i] else paste(codes$path[p], "/", codes$name[i])
    }
    # ancestors of each code, itself included
    codes$lineage <- lapply(seq_len(nrow(codes)), function(i) {
        out <- i
        while (!is.na(codes$parent_i[i])) { i <- codes$parent_i[i]; out <- c(out, i) }
        out
    })

    # text sources, their text (code points) and their codings
    src_nodes <- xml_find_all(doc, "/Project/Sources/TextSource")
    stopifnot(length(xml_find_all(doc, "/Project/Sources/*[name() != 'TextSource']")) == 0)
    sources <- data.frame(guid = G(xml_attr(src_nodes, "guid")),
                          name = xml_attr(src_nodes, "name"), stringsAsFactors = FALSE)
    texts <- vector("list", length(src_nodes))
    codings <- list()
    for (s in seq_along(src_nodes)) {
        n <- src_nodes[[s]]
        path <- xml_attr(n, "plainTextPath")
        if (!is.na(path)) {
            stopifnot(startsWith(path, "internal://"))
            texts[[s]] <- read_text_utf8(file.path(dir, "sources", sub("^internal://", "", path)))
        } else {
            inline <- xml_find_first(n, "PlainTextContent")
            stopifnot(!is.na(inline))
            texts[[s]] <- utf8ToInt(enc2utf8(xml_text(inline)))
        }
        for (sel in xml_find_all(n, "PlainTextSelection")) {
            start <- as.integer(xml_attr(sel, "startPosition"))
            end <- as.integer(xml_attr(sel, "endPosition"))
            stopifnot(start >= 0, end >= start, end <= length(texts[[s]]))
            sel_user <- G(xml_attr(sel, "creatingUser"))
            cp <- texts[[s]][seq_len(end - start) + start]  # 0-based, end excluded
            for (cd in xml_find_all(sel, "Coding")) {
                u <- G(xml_attr(cd, "creatingUser"))
                if (is.na(u)) u <- sel_user  # the coding's user, else the selection's
                code <- match(G(xml_attr(xml_find_first(cd, "CodeRef"), "targetGUID")), codes$guid)
                stopifnot(!is.na(code), u %in% names(user_name))
                codings[[length(codings) + 1]] <- data.frame(
                    source = s, code = code, user = unname(user_name[u]), start = start,
                    end = end, words = count_words(cp), stringsAsFactors = FALSE)
            }
        }
    }
    codings <- do.call(rbind, codings)

    # cases: the participants; a source in no case is a participant of its own
    case_nodes <- xml_find_all(doc, "/Project/Cases/Case")
    stopifnot(length(xml_find_all(doc, "/Project/Cases/Case/SelectionRef")) == 0)
    vars <- xml_find_all(doc, "/Project/Variables/Variable")
    var_name <- setNames(xml_attr(vars, "name"), G(xml_attr(vars, "guid")))
    part_name <- xml_attr(case_nodes, "name")
    part_of_source <- rep(NA_integer_, nrow(sources))
    values <- matrix(NA_character_, length(case_nodes), length(var_name),
                     dimnames = list(NULL, unname(var_name)))
    for (k in seq_along(case_nodes)) {
        refs <- G(xml_attr(xml_find_all(case_nodes[[k]], "SourceRef"), "targetGUID"))
        idx <- match(refs, sources$guid)
        stopifnot(!anyNA(idx))
        part_of_source[idx[is.na(part_of_source[idx])]] <- k  # the first case naming it
        for (vv in xml_find_all(case_nodes[[k]], "VariableValue")) {
            v <- var_name[[G(xml_attr(xml_find_first(vv, "VariableRef"), "targetGUID"))]]
            val <- xml_find_first(vv, "*[name() != 'VariableRef']")
            values[k, v] <- xml_text(val)
        }
    }
    for (s in which(is.na(part_of_source))) {
        part_name <- c(part_name, sources$name[s])
        values <- rbind(values, NA)
        part_of_source[s] <- length(part_name)
    }
    codings$part <- part_of_source[codings$source]
    list(codes = codes, sources = sources, codings = codings, part_name = part_name,
         values = values, texts = texts)
}

# Words: runs of non-blank characters, and each CJK character on its own.
# Blank: space, tab, LF, CR, U+3000-U+3003 (ideographic space, comma, full
# stop, ditto) and U+FF01-U+FF0F (full-width punctuation).  CJK: kana
# U+3040-U+30FF, U+3400-U+9FFF, U+F900-U+FAFF, U+20000-U+2FFFF.
count_words <- function(cp) {
    if (!length(cp)) return(0)
    cjk <- (cp >= 0x3040 & cp <= 0x30FF) | (cp >= 0x3400 & cp <= 0x9FFF) |
           (cp >= 0xF900 & cp <= 0xFAFF) | (cp >= 0x20000 & cp <= 0x2FFFF)
    blank <- cp %in% c(0x20, 0x09, 0x0A, 0x0D) | (cp >= 0x3000 & cp <= 0x3003) |
             (cp >= 0xFF01 & cp <= 0xFF0F)
    word <- !cjk & !blank
    starts <- word & !c(FALSE, head(word, -1))
    sum(cjk) + sum(starts)
}

## ------------------------------------------------ output ----

rows <- list()
emit <- function(project, table, code, key, value) {
    rows[[length(rows) + 1]] <<- data.frame(project = project, table = table, code = code,
                                            key = key, value = as.numeric(value),
                                            stringsAsFactors = FALSE)
}

## ------------------------------------------------ themes ----

# raised[p, c]: participant p raised code c (any coder; the code or one under it)
raised_matrix <- function(P) {
    np <- length(P$part_name); nc <- nrow(P$codes)
    r <- matrix(FALSE, np, nc)
    for (i in seq_len(nrow(P$codings)))
        r[P$codings$part[i], P$codes$lineage[[P$codings$code[i]]]] <- TRUE
    r
}

themes <- function(project, P) {
    R <- raised_matrix(P)
    N <- nrow(R)
    for (c in seq_len(nrow(P$codes))) {
        x <- sum(R[, c])
        # the Wilson score interval (its chi-squared warning for small n is moot here)
        ci <- suppressWarnings(prop.test(x, N, correct = FALSE))$conf.int
        under <- vapply(P$codes$lineage, function(l) c %in% l, TRUE)  # c and its descendants
        mine <- under[P$codings$code]
        path <- P$codes$path[c]
        emit(project, "themes", path, "participants", x)
        emit(project, "themes", path, "of", N)
        emit(project, "themes", path, "percent", 100 * x / N)
        emit(project, "themes", path, "ci_lower", 100 * ci[1])
        emit(project, "themes", path, "ci_upper", 100 * ci[2])
        emit(project, "themes", path, "segments", sum(mine))
        emit(project, "themes", path, "words", sum(P$codings$words[mine]))
    }
}

themes_by <- function(project, P, var) {
    R <- raised_matrix(P)
    level <- P$values[, var]
    keep <- !is.na(level) & level != ""
    levs <- sort(unique(level[keep]))
    num <- suppressWarnings(as.numeric(levs))
    levs <- c(levs[!is.na(num)][order(num[!is.na(num)])], sort(levs[is.na(num)], method = "radix"))
    table_name <- paste0("themes_by.", var)
    for (c in seq_len(nrow(P$codes))) {
        path <- P$codes$path[c]
        yes <- vapply(levs, function(l) sum(R[keep & level == l, c]), 0)
        size <- vapply(levs, function(l) sum(keep & level == l), 0)
        for (k in seq_along(levs)) {
            emit(project, table_name, path, paste0("n_", levs[k]), yes[k])
            emit(project, table_name, path, paste0("percent_", levs[k]), 100 * yes[k] / size[k])
        }
        tab <- rbind(yes, size - yes)  # raised / not x level
        emit(project, table_name, path, "p", fisher.test(tab)$p.value)
    }
}

## ------------------------------------------------ co-occurrence ----

cooccurrence <- function(project, P) {
    nc <- nrow(P$codes); np <- length(P$part_name)
    direct <- matrix(FALSE, np, nc)  # the code itself, not its children
    direct[cbind(P$codings$part, P$codings$code)] <- TRUE
    cd <- P$codings[P$codings$end > P$codings$start, ]
    for (a in seq_len(nc - 1)) for (b in (a + 1):nc) {
        if (a %in% P$codes$lineage[[b]] || b %in% P$codes$lineage[[a]]) next
        both <- sum(direct[, a] & direct[, b])
        either <- sum(direct[, a] | direct[, b])
        A <- cd[cd$code == a, ]; B <- cd[cd$code == b, ]
        # pairs of overlapping selections (one of a, one of b) by one coder in one source
        seg <- 0
        for (i in seq_len(nrow(A)))
            seg <- seg + sum(B$source == A$source[i] & B$user == A$user[i] &
                             B$start < A$end[i] & A$start[i] < B$end)
        key <- paste0(P$codes$path[a], "|", P$codes$path[b])
        emit(project, "cooccurrence", key, "segments", seg)
        emit(project, "cooccurrence", key, "participants", both)
        emit(project, "cooccurrence", key, "jaccard", if (either) both / either else NA)
    }
}

## ------------------------------------------------ agreement ----

# Units of agreement: per coding its unit; coded[u, k]: coder k coded unit u.
agreement_units <- function(P, unit) {
    cd <- P$codings
    coders <- unique(cd$user)
    if (unit == "participant") {
        n <- length(P$part_name)
        of <- cd$part
    } else if (unit == "source") {
        n <- nrow(P$sources)
        of <- cd$source
    } else {
        # segments: selections that overlap, directly or through another
        of <- rep(NA_integer_, nrow(cd))
        n <- 0
        for (s in sort(unique(cd$source))) {
            idx <- which(cd$source == s & cd$end > cd$start)
            idx <- idx[order(cd$start[idx], cd$end[idx])]
            reach <- -1
            for (i in idx) {
                if (cd$start[i] >= reach) n <- n + 1  # end excluded: touching is not overlapping
                reach <- max(reach, cd$end[i])
                of[i] <- n
            }
        }
    }
    coded <- matrix(FALSE, n, length(coders))
    ok <- !is.na(of)
    coded[cbind(of[ok], match(cd$user[ok], coders))] <- TRUE
    if (unit == "segment")
        for (u in seq_len(n)) {
            s <- unique(cd$source[which(of == u)])
            coded[u, ] <- coders %in% cd$user[cd$source == s]
        }
    list(n = n, of = of, coded = coded, coders = coders)
}

# irr::agree 0.84.1 (R/agree.R), numeric ratings, tolerance 0: the
# percentage of the units rated by every coder (na.omit) where all agree.
irr_agree <- function(x) {
    x <- x[complete.cases(x), , drop = FALSE]
    100 * sum(apply(x, 1, max) - apply(x, 1, min) == 0) / nrow(x)
}

# irr::kappam.fleiss 0.84.1 (R/kappam.fleiss.R, exact = FALSE), the value:
#   ratings <- na.omit(ratings); ttab = units x categories counts;
#   agreeP  <- sum((rowSums(ttab^2) - nr) / (nr * (nr - 1)) / ns)
#   chanceP <- sum(colSums(ttab)^2) / (ns * nr)^2
#   kappa   <- (agreeP - chanceP) / (1 - chanceP)
# with the categories those observed (levels(as.factor(ratings))).
irr_kappam_fleiss <- function(x) {
    x <- x[complete.cases(x), , drop = FALSE]
    ns <- nrow(x); nr <- ncol(x)
    lev <- levels(as.factor(x))
    ttab <- t(apply(x, 1, function(r) as.numeric(table(factor(r, levels = lev)))))
    if (length(lev) == 1) ttab <- t(ttab)
    agreeP <- sum((rowSums(ttab^2) - nr) / (nr * (nr - 1)) / ns)
    chanceP <- sum(colSums(ttab)^2) / (ns * nr)^2
    (agreeP - chanceP) / (1 - chanceP)
}

# Krippendorff's alpha, nominal, from the coincidence matrix (Krippendorff
# 2011, "Computing Krippendorff's alpha-reliability"): units with m_u >= 2
# values; each ordered pair of values in a unit adds 1/(m_u - 1) to
# o[c, k]; n_c = rowSums(o), n = sum(n_c);
#   alpha = 1 - (n - 1) * sum_{c != k} o[c, k] / sum_{c != k} n_c n_k.
# (irr::kripp.alpha weights pairs by 1 instead when the data have no NA at
# all -- see tests/reference/agreement/README.md -- so it is not called.)
kripp_alpha_nominal <- function(x) {
    lev <- sort(unique(x[!is.na(x)]))
    o <- matrix(0, length(lev), length(lev))
    for (u in seq_len(nrow(x))) {
        v <- match(x[u, !is.na(x[u, ])], lev)
        m <- length(v)
        if (m < 2) next
        for (i in seq_len(m)) for (j in seq_len(m)) if (i != j)
            o[v[i], v[j]] <- o[v[i], v[j]] + 1 / (m - 1)
    }
    nc <- rowSums(o); n <- sum(nc)
    off <- sum(o) - sum(diag(o))
    expected <- sum(outer(nc, nc)) - sum(nc^2)
    if (expected == 0) return(NA)  # one value only: undefined
    1 - (n - 1) * off / expected
}

agreement <- function(project, P, unit) {
    U <- agreement_units(P, unit)
    stopifnot(length(U$coders) == 2)
    cd <- P$codings
    for (c in seq_len(nrow(P$codes))) {
        under <- vapply(P$codes$lineage, function(l) c %in% l, TRUE)
        x <- ifelse(U$coded, 0, NA)
        for (i in which(under[cd$code] & !is.na(U$of)))
            x[U$of[i], match(cd$user[i], U$coders)] <- 1
        path <- P$codes$path[c]
        k <- paste0(unit, ".")
        emit(project, "agreement", path, paste0(k, "applied"), sum(rowSums(x == 1, na.rm = TRUE) > 0))
        emit(project, "agreement", path, paste0(k, "units"), sum(rowSums(!is.na(x)) >= 2))
        emit(project, "agreement", path, paste0(k, "percent"), irr_agree(x))
        both <- x[complete.cases(x), , drop = FALSE]
        stopifnot(nrow(both) != 2)  # psych reads a 2 x 2 matrix as a table
        ck <- suppressWarnings(suppressMessages(psych::cohen.kappa(both)))
        emit(project, "agreement", path, paste0(k, "cohen_kappa"), ck$kappa)
        # psych's var.kappa is the Fleiss, Cohen & Everitt (1969) asymptotic
        # variance, the one brisk reports the square root of
        emit(project, "agreement", path, paste0(k, "cohen_se"),
             if (is.na(ck$kappa)) NA else sqrt(ck$var.kappa))
        emit(project, "agreement", path, paste0(k, "fleiss_kappa"), irr_kappam_fleiss(x))
        emit(project, "agreement", path, paste0(k, "alpha"), kripp_alpha_nominal(x))
    }
}

## ------------------------------------------------ joint display ----

# The survey's sections as key = value lines (comments after ';' or '#').
read_survey <- function(path) {
    lines <- sub("[;#].*$", "", readLines(path, encoding = "UTF-8"))
    lines <- trimws(lines)
    sec <- ""
    out <- list()
    for (l in lines[lines != ""]) {
        if (grepl("^\\[.*\\]$", l)) { sec <- gsub("[][]", "", l); next }
        out[[sec]] <- c(out[[sec]], l)
    }
    out
}

joint <- function(project, P, survey_path, link) {
    S <- read_survey(survey_path)
    kv <- function(sec) {
        m <- regmatches(S[[sec]], regexec("^([^=]+?)\\s*=\\s*(.*)$", S[[sec]]))
        setNames(vapply(m, `[`, "", 3), vapply(m, `[`, "", 2))
    }
    conf <- kv("survey")
    behaviours <- kv("behaviours")
    scale <- as.numeric(strsplit(conf[["scale"]], "..", fixed = TRUE)[[1]])
    missing_codes <- as.numeric(strsplit(conf[["missing"]], "[ ,]+")[[1]])
    reverse <- S[["reverse"]]
    data <- read.csv(file.path(dirname(survey_path), conf[["data"]]), na.strings = "")
    for (v in names(data)[-1]) data[[v]][data[[v]] %in% missing_codes] <- NA
    model <- grep("=~", S[["model"]], value = TRUE, fixed = TRUE)
    cons <- lapply(strsplit(model, "=~", fixed = TRUE), function(p)
        list(name = trimws(p[1]), items = trimws(strsplit(p[2], "+", fixed = TRUE)[[1]])))

    R <- raised_matrix(P)
    ids <- data[[conf[["id"]]]]
    resp <- match(as.numeric(P$values[, link]), ids)  # participant -> survey row
    stopifnot(!anyNA(resp))
    for (con in cons) {
        per_b <- any(grepl("{b}", con$items, fixed = TRUE))
        blocks <- if (per_b) names(behaviours) else ""
        for (b in blocks) {
            cols <- sapply(con$items, function(it) {
                col <- sub("{b}", b, it, fixed = TRUE)
                x <- data[[col]]
                stopifnot(!is.null(x))
                if (it %in% reverse) x <- scale[1] + scale[2] - x  # 6 - x on 1..5
                x
            })
            score <- rowMeans(cols, na.rm = TRUE)[resp]  # NaN: no item answered
            key0 <- if (per_b) paste0(con$name, ".", behaviours[[b]], ".") else paste0(con$name, ".")
            for (c in seq_len(nrow(P$codes))) {
                ok <- !is.na(score)
                a <- score[ok & R[, c]]; o <- score[ok & !R[, c]]
                st <- c(raised_n = length(a), raised_mean = if (length(a)) mean(a) else NA,
                        raised_sd = if (length(a) > 1) sd(a) else NA, other_n = length(o),
                        other_mean = if (length(o)) mean(o) else NA,
                        other_sd = if (length(o) > 1) sd(o) else NA)
                st["difference"] <- st[["raised_mean"]] - st[["other_mean"]]
                for (k in names(st))
                    emit(project, "joint", P$codes$path[c], paste0(key0, k), st[[k]])
            }
        }
    }
}

## ------------------------------------------------ the projects ----

projects <- list(
    list(name = "ahmed2017", file = "surveys/ahmed2017/ahmed2017.qdpx", by = "user"),
    list(name = "rongcheng", file = "surveys/rongcheng/interviews.qdpx", by = "district",
         survey = "surveys/rongcheng/rongcheng.survey", link = "respondent"))
for (pr in projects) {
    P <- read_qdpx(pr$file)
    themes(pr$name, P)
    themes_by(pr$name, P, pr$by)
    cooccurrence(pr$name, P)
    for (unit in c("participant", "source", "segment"))
        agreement(pr$name, P, unit)
    if (!is.null(pr$survey))
        joint(pr$name, P, pr$survey, pr$link)
}

out <- do.call(rbind, rows)
out$value <- ifelse(is.na(out$value), "NA", sprintf("%.12g", out$value))
out$value[out$value == "-0"] <- "0"
# quote = FALSE: no field holds a comma or a quote; check it
stopifnot(!any(grepl("[,\"]", c(out$code, out$key))))
write.csv(out, out_path, row.names = FALSE, quote = FALSE, fileEncoding = "UTF-8")
cat("wrote", nrow(out), "values to", out_path, "\n")
