/** A stand-in for a supervised component (`svcnet <name> ...`): it runs until killed. */
setInterval(() => {}, 60_000);
