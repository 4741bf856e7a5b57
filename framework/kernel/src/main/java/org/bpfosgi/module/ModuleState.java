package org.bpfosgi.module;

/** Models include/linux/module.h {@code enum module_state}, with the kernel's numeric values. */
public enum ModuleState {
    /** MODULE_STATE_LIVE: normal state. */
    LIVE(0, "live", "Live"),
    /** MODULE_STATE_COMING: fully formed, running module_init. */
    COMING(1, "coming", "Loading"),
    /** MODULE_STATE_GOING: going away. */
    GOING(2, "going", "Unloading"),
    /** MODULE_STATE_UNFORMED: still setting it up; invisible to find_module and /proc/modules. */
    UNFORMED(3, "unformed", "Unformed");

    private final int value;
    private final String initstate;
    private final String procName;

    ModuleState(int value, String initstate, String procName) {
        this.value = value;
        this.initstate = initstate;
        this.procName = procName;
    }

    /** The numeric value of the kernel's enum. */
    public int value() {
        return value;
    }

    /** The text of /sys/module/NAME/initstate. */
    public String initstate() {
        return initstate;
    }

    /** The state column of /proc/modules (kernel/module/procfs.c m_show()). */
    public String procName() {
        return procName;
    }
}
