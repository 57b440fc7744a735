// The folder's tests as one jest file: its parts share one load of the modules and mocks they
// import instead of paying for them each (docs/testing.md, "One file per folder").
import './command.spec';
import './errors.spec';
import './prompt.spec';
import './session.spec';
