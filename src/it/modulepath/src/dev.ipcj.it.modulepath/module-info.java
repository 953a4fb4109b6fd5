/** The module-path check: an application module that uses ipcj as a named module. */
module dev.ipcj.it.modulepath {
    requires dev.ipcj;
}
