// The folder's tests as one jest file: its parts share one load of the modules and one mock of each
// client instead of paying for them each (docs/testing.md, "One file per folder").
import './training-data.spec';
import './screen.spec';
import './handler.spec';
