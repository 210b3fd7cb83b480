// Path channels run with the process's current folder inside a fixture.
[assembly: DoNotParallelize]
