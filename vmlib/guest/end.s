# end.s -- assembled last: marks where the user image ends (the kernel maps the pages between
# user_image and user_image_end into every process) and where the kernel's memory ends (every
# page from kernel_end to the end of guest RAM is free for page tables and process pages).

    .text
    .balign 4096
user_image_end:

    .bss
    .balign 4096
kernel_end:
