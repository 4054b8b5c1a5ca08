// SPDX-License-Identifier: GPL-2.0
/*
 * A thermal zone whose temperature the kernel test sets: Kinglet's real-kernel test reads it
 * through /sys/class/thermal and, through the thermal core's hwmon bridge, through
 * /sys/class/hwmon. Write millidegrees Celsius to
 * /sys/module/kinglet_test_thermal/parameters/millicelsius.
 */
#include <linux/module.h>
#include <linux/thermal.h>

static int millicelsius = 21500;
module_param(millicelsius, int, 0644);
MODULE_PARM_DESC(millicelsius, "the zone's temperature, in millidegrees Celsius");

static struct thermal_zone_device *zone;

static int kinglet_test_get_temp(struct thermal_zone_device *tz, int *temp)
{
	*temp = READ_ONCE(millicelsius);
	return 0;
}

static struct thermal_zone_device_ops kinglet_test_ops = {
	.get_temp = kinglet_test_get_temp,
};

static int __init kinglet_test_thermal_init(void)
{
	/* No trips, no polling: the zone is only read. */
	zone = thermal_zone_device_register("kinglet-test", 0, 0, NULL, &kinglet_test_ops, NULL, 0, 0);
	return PTR_ERR_OR_ZERO(zone);
}

static void __exit kinglet_test_thermal_exit(void)
{
	thermal_zone_device_unregister(zone);
}

module_init(kinglet_test_thermal_init);
module_exit(kinglet_test_thermal_exit);
MODULE_DESCRIPTION("Settable thermal zone for Kinglet's kernel test");
MODULE_LICENSE("GPL");
