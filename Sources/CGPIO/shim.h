// Linux GPIO character device, v2 uAPI (linux/gpio.h). The ioctl request numbers are
// macros Swift cannot import, so they are re-exported as constants here.
#include <linux/gpio.h>
#include <sys/ioctl.h>
static const unsigned long kinglet_gpio_v2_get_line_ioctl = GPIO_V2_GET_LINE_IOCTL;
static const unsigned long kinglet_gpio_v2_line_set_values_ioctl = GPIO_V2_LINE_SET_VALUES_IOCTL;
static const unsigned long kinglet_gpio_v2_line_get_values_ioctl = GPIO_V2_LINE_GET_VALUES_IOCTL;
static const unsigned long kinglet_gpio_v2_get_lineinfo_ioctl = GPIO_V2_GET_LINEINFO_IOCTL;
static const unsigned long kinglet_gpio_get_chipinfo_ioctl = GPIO_GET_CHIPINFO_IOCTL;
