// The folder's tests as one jest file: its parts share one load of the modules and mocks they
// import instead of paying for them each (docs/testing.md, "One file per folder").
import './prepare.spec';
import './start.spec';
import './lifecycle.spec';
import './compare.spec';
