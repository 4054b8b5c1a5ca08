// Nothing to import: the target only provides the ICU converter symbols libxml2 links against
// (NoICU.c).
