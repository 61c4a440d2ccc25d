"""The operator's web dashboard: server-rendered pages over the service layer, charts drawn
offline with the vendored uPlot."""
