"""Editorial export: a scene's cut as an OpenTimelineIO timeline, and through OTIO's
adapters as FCP 7 XML, FCP X XML and CMX 3600 EDL."""
