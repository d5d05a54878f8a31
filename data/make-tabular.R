# Writes the tabular suite (data/tabular/*.csv and suite.json) from the R package mlbench.
# Usage: Rscript data/make-tabular.R OUTDIR   (run by data/make-tabular.sh, which checks the result)
#
# CSV conventions, so that a plain CSV reader sees the same table R has:
#   - header line with mlbench's column names; comma-separated; no quoting (checked: no value holds a comma or quote);
#   - a missing value (R's NA) is an empty field;
#   - factors (ordered or not) and logicals are written as their text (levels, TRUE/FALSE) and declared "categorical"
#     in suite.json even when the levels look like numbers (e.g. BreastCancer's "1".."10", DNA's "0"/"1");
#   - numbers are written with up to 15 significant digits (R's default), declared "numeric".
suppressPackageStartupMessages(library(mlbench))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript make-tabular.R OUTDIR")
out <- args[[1]]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# name, task, label column, positive class (binary only), ID columns to drop.
suite <- list(
  list(name = "PimaIndiansDiabetes2", task = "binary", label = "diabetes", positive = "pos", drop = character()),
  list(name = "BreastCancer", task = "binary", label = "Class", positive = "malignant", drop = "Id"),
  list(name = "Ionosphere", task = "binary", label = "Class", positive = "good", drop = character()),
  list(name = "Sonar", task = "binary", label = "Class", positive = "M", drop = character()),
  list(name = "HouseVotes84", task = "binary", label = "Class", positive = "democrat", drop = character()),
  list(name = "Glass", task = "multiclass", label = "Type", positive = NA, drop = character()),
  list(name = "Vowel", task = "multiclass", label = "Class", positive = NA, drop = character()),
  list(name = "LetterRecognition", task = "multiclass", label = "lettr", positive = NA, drop = character()),
  list(name = "Shuttle", task = "multiclass", label = "Class", positive = NA, drop = character()),
  list(name = "DNA", task = "multiclass", label = "Class", positive = NA, drop = character()),
  list(name = "Soybean", task = "multiclass", label = "Class", positive = NA, drop = character()),
  list(name = "Zoo", task = "multiclass", label = "type", positive = NA, drop = character()),
  list(name = "BostonHousing", task = "regression", label = "medv", positive = NA, drop = character()),
  list(name = "Servo", task = "regression", label = "Class", positive = NA, drop = character()),
  list(name = "Ozone", task = "regression", label = "V4", positive = NA, drop = character())
)

json_string <- function(s) paste0("\"", gsub("\"", "\\\\\"", gsub("\\\\", "\\\\\\\\", s)), "\"")

entries <- character()
for (set in suite) {
  env <- new.env()
  data(list = set$name, package = "mlbench", envir = env)
  d <- get(set$name, envir = env)
  for (column in set$drop) {
    if (!column %in% names(d)) stop(set$name, ": no column ", column, " to drop")
    d[[column]] <- NULL
  }
  if (!set$label %in% names(d)) stop(set$name, ": no label column ", set$label)
  # A row without a label can be neither trained on nor scored (Ozone has 5); every other NA is kept.
  unlabelled <- sum(is.na(d[[set$label]]))
  d <- d[!is.na(d[[set$label]]), , drop = FALSE]
  kinds <- vapply(d, function(c) if (is.numeric(c)) "numeric" else "categorical", "")
  text <- as.data.frame(lapply(d, function(c) if (is.numeric(c)) c else as.character(c)),
                        stringsAsFactors = FALSE, optional = TRUE)
  for (column in names(text)[kinds == "categorical"]) {
    values <- text[[column]]
    if (any(grepl("[,\"\r\n]", values[!is.na(values)]))) stop(set$name, ".", column, ": a value holds a comma, quote or newline")
    if (any(!is.na(values) & values == "")) stop(set$name, ".", column, ": an empty text value would read back as missing")
  }
  if (set$task == "binary") {
    classes <- sort(unique(text[[set$label]]))
    if (length(classes) != 2 || !set$positive %in% classes) stop(set$name, ": expected two classes including ", set$positive)
  }
  file <- paste0(set$name, ".csv")
  write.csv(text, file.path(out, file), row.names = FALSE, quote = FALSE, na = "", fileEncoding = "UTF-8", eol = "\n")

  missing <- vapply(d, function(c) sum(is.na(c)), 0L)
  columns <- paste0("        {\"name\": ", json_string(names(d)), ", \"type\": \"", kinds, "\", \"missing\": ", missing, "}",
                    collapse = ",\n")
  # Sorted in the C locale, so the order does not depend on the machine's locale.
  classes <- if (set$task == "regression") "null" else
    paste0("[", paste(vapply(sort(unique(text[[set$label]]), method = "radix"), json_string, ""), collapse = ", "), "]")
  entries <- c(entries, paste0(
    "    {\n",
    "      \"name\": ", json_string(set$name), ",\n",
    "      \"file\": ", json_string(file), ",\n",
    "      \"task\": \"", set$task, "\",\n",
    "      \"label\": ", json_string(set$label), ",\n",
    "      \"positiveClass\": ", if (is.na(set$positive)) "null" else json_string(set$positive), ",\n",
    "      \"rows\": ", nrow(d), ",\n",
    "      \"classes\": ", classes, ",\n",
    "      \"droppedColumns\": [", paste(vapply(set$drop, json_string, ""), collapse = ", "), "],\n",
    "      \"droppedUnlabelledRows\": ", unlabelled, ",\n",
    "      \"missingCells\": ", sum(is.na(d)), ",\n",
    "      \"columns\": [\n", columns, "\n      ]\n",
    "    }"))
  cat(sprintf("make-tabular: %-20s %6d rows %4d columns %5d missing cells\n", set$name, nrow(d), ncol(d), sum(is.na(d))))
}

manifest <- paste0(
  "{\n",
  "  \"source\": \"R package mlbench ", packageDescription("mlbench")$Version, " (GPL-2); see README.md\",\n",
  "  \"sets\": [\n", paste(entries, collapse = ",\n"), "\n  ]\n",
  "}\n")
writeLines(manifest, file.path(out, "suite.json"), sep = "", useBytes = TRUE)
