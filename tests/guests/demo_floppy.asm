; aula86 demo disk: the bootable floppy the page starts with. It shows what happened when the PC
; booted, what kind of machine it runs on, the clock and the timer ticks going by, the keys you
; press (and sends them to COM1), the Mandelbrot set in the 256-colour graphics mode 13h with a
; cycling palette (F1), and the interrupt vector table (F2). It counts its boots in sector 1 and
; writes that back, so the disk image changes (the page's "download" button saves it).
;
; Plain 8086 code (the CPU test at the start uses 386 instructions only after it found a 386),
; through the BIOS services where a program of the time would use them.
;
; Layout: sector 0 is the boot sector, with a FAT12 parameter block for a 1.44M disk whose
; reserved sectors hold everything here (so the disk is also a valid, empty DOS floppy); sector 1
; holds the boot count; the program follows from sector 2. The file ends after the first sector
; of the second FAT: the rest of the disk is zeros, and the page (like the emulator's disk
; loader, reading the parameter block) pads it to 1,474,560 bytes.
;
; Build: nasm -f bin tests/guests/demo_floppy.asm -o www/demo.img
; (scripts/test checks that www/demo.img is exactly this.)

bits 16
cpu 8086
org 0x7C00

SPT             equ 18          ; sectors per track (1.44M)
LOAD_ADDR       equ 0x7E00      ; sector 1 onward is loaded here
TYPED_MAX       equ 60          ; characters the "Typed" line holds
COM1            equ 0x3F8
MAXIT           equ 48          ; Mandelbrot iterations
CYCLE           equ 192         ; palette entries that cycle (1..192)
WHITE           equ 255         ; a palette entry kept white for text in mode 13h

; Screen rows of the main page.
ROW_TICKS       equ 12
ROW_BOOTS       equ 13
ROW_KEY         equ 16
ROW_TYPED       equ 17
ROW_MARQUEE     equ 21
COL_VALUE       equ 15

; ---- sector 0: the boot sector -----------------------------------------------------------------
boot:
    jmp short boot_code
    nop
    db "AULA86  "               ; OEM name
    dw 512                      ; bytes per sector
    db 1                        ; sectors per cluster
    dw RESERVED                 ; reserved sectors: this whole program
    db 2                        ; FATs
    dw 224                      ; root directory entries
    dw 2880                     ; sectors
    db 0xF0                     ; media: 1.44M
    dw 9                        ; sectors per FAT
    dw SPT                      ; sectors per track
    dw 2                        ; heads
    dd 0                        ; hidden sectors
    dd 0                        ; sectors (32-bit)
    db 0                        ; drive number
    db 0
    db 0x29                     ; extended boot signature
    dd 0x20260101               ; volume serial number
    db "AULA86 DEMO"            ; volume label
    db "FAT12   "

boot_code:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    jmp 0:.normal               ; some BIOSes enter at 07C0:0000
.normal:
    mov [boot_drive], dl
    mov si, s_loading
    call bputs
    mov ax, 1                   ; LBA of sector 1
    mov bx, LOAD_ADDR
.load:
    cmp ax, RESERVED
    jae .loaded
    call read_sector
    jc .fail
    inc ax
    add bx, 512
    push ax
    mov al, '.'
    call bputc
    pop ax
    jmp .load
.loaded:
    jmp main
.fail:
    mov si, s_read_error
    call bputs
.hang:
    hlt
    jmp .hang

; Read sector AX (LBA) of the boot drive to ES:BX; CF set if three tries failed. Keeps AX, BX.
read_sector:
    push ax
    mov di, 3
.retry:
    push ax
    xor dx, dx
    mov cx, SPT
    div cx                      ; AX = track (cylinder * 2 + head), DX = sector - 1
    mov cl, dl
    inc cl
    mov dh, al
    and dh, 1
    shr ax, 1
    mov ch, al
    mov dl, [boot_drive]
    mov ax, 0x0201
    int 0x13
    pop ax
    jnc .ok
    push ax
    xor ax, ax                  ; reset the drive and try again
    mov dl, [boot_drive]
    int 0x13
    pop ax
    dec di
    jnz .retry
    stc
.ok:
    pop ax
    ret

; Teletype output (INT 10h AH=0Eh) of the zero-terminated string at SI.
bputs:
    lodsb
    test al, al
    jz .done
    call bputc
    jmp bputs
.done:
    ret

bputc:
    push bx
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    pop bx
    ret

s_loading:      db "aula86 demo disk: loading", 0
s_read_error:   db 13, 10, "Disk read error. Press Ctrl-Alt-Del to try again.", 0

    times 510 - ($ - $$) db 0
    dw 0xAA55

; ---- sector 1: the boot count ------------------------------------------------------------------
boots_sector:
    db "aula86 demo disk boot count", 0
boot_count:
    dw 0
    times 512 - ($ - boots_sector) db 0

; ---- sector 2 on: the program ------------------------------------------------------------------
main:
    call serial_init
    mov si, s_com_hello
    call sputs
    mov al, [boot_drive]
    call shex8
    mov si, s_com_hello2
    call sputs
    call count_boot
    mov ax, [boot_count]
    call sdec
    mov si, s_crlf
    call sputs
    call detect_cpu
    int 0x12                    ; conventional memory in KB
    mov [mem_low], ax
    mov ah, 0x88                ; extended memory in KB
    clc
    int 0x15
    jnc .ext_ok
    xor ax, ax
.ext_ok:
    mov [mem_ext], ax
    mov byte [typed_len], 0
    mov byte [last_src], 0xFF   ; no key yet
    mov word [marquee_pos], 0   ; (memory is not cleared by a warm boot)
    call draw_main

main_loop:
    call update_live
    call poll_serial
    mov ah, 0x01
    int 0x16
    jz .idle
    xor ah, ah
    int 0x16
    call handle_key
    jmp main_loop
.idle:
    sti
    hlt                         ; sleep until the next interrupt (the timer, at the latest)
    jmp main_loop

; Add one to the boot count and write sector 1 back (INT 13h AH=03h).
count_boot:
    inc word [boot_count]
    mov byte [write_error], 0
    mov ax, 0x0301
    mov bx, boots_sector
    mov cx, 0x0002              ; cylinder 0, sector 2 (LBA 1)
    xor dh, dh
    mov dl, [boot_drive]
    int 0x13
    jnc .ok
    mov [write_error], ah
    or byte [write_error], 0x80 ; nonzero even for status 00h
.ok:
    ret

; ---- what CPU is this? -------------------------------------------------------------------------
; Sets cpu_kind: 0 = 8086/8088, 1 = 80186, 2 = 80286, 3 = 80386, 4 = 80486 without CPUID,
; 5 = CPUID (vendor in cpu_vendor, family in cpu_family).
detect_cpu:
    pushf
    pop ax
    and ax, 0x0FFF
    push ax
    popf
    pushf
    pop ax
    and ax, 0xF000
    cmp ax, 0xF000
    jne .not86                  ; flags 12-15 always read 1 on the 8086 and 80186
    mov al, 0xFF                ; the 186 masks shift counts to 5 bits, the 8086 does not
    mov cl, 0x21
    shl al, cl
    mov byte [cpu_kind], 0
    test al, al
    jz .done
    mov byte [cpu_kind], 1
    ret
.not86:
    mov ax, 0xF000              ; the 286 in real mode keeps flags 12-15 at 0
    push ax
    popf
    pushf
    pop ax
    test ax, 0xF000
    jnz .is386
    mov byte [cpu_kind], 2
.done:
    ret
.is386:
    cpu 586                     ; (nasm: 386 instructions, and CPUID)
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 0x40000            ; AC (bit 18) exists from the 486 on
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    mov byte [cpu_kind], 3
    test eax, 0x40000
    jz .done
    mov eax, ecx
    xor eax, 0x200000           ; ID (bit 21) can be changed when there is CPUID
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    mov byte [cpu_kind], 4
    test eax, 0x200000
    jz .done
    mov byte [cpu_kind], 5
    xor eax, eax
    cpuid
    mov [cpu_vendor], ebx
    mov [cpu_vendor + 4], edx
    mov [cpu_vendor + 8], ecx
    mov byte [cpu_vendor + 12], 0
    mov eax, 1
    cpuid
    shr ax, 8
    and al, 0x0F
    mov [cpu_family], al
    ret
    cpu 8086

; ---- the main page -----------------------------------------------------------------------------
draw_main:
    mov ax, 0x0003              ; 80x25 text, 16 colours
    int 0x10
    mov bh, 0x17                ; grey on blue
    xor cx, cx
    mov dx, 0x184F
    call clear_window
    mov bh, 0x70                ; the title and key bars: black on grey
    xor cx, cx
    mov dx, 0x004F
    call clear_window
    mov bh, 0x70
    mov cx, 0x1800
    mov dx, 0x184F
    call clear_window
    mov si, main_text
    call put_table

    ; Lines 2 and 3 of the story: the boot drive, and how many sectors the boot sector read.
    mov dx, 0x0403
    call goto
    mov byte [attr], 0x17
    mov si, s_story2
    call puts
    mov al, [boot_drive]
    call put_hex8
    mov si, s_story2b
    call puts
    mov dx, 0x0503
    call goto
    mov si, s_story3
    call puts
    mov ax, RESERVED - 1
    call put_dec
    mov si, s_story3b
    call puts
    mov byte [attr], 0x1F

    ; The processor.
    mov dx, 0x0900 + COL_VALUE
    call goto
    mov bl, [cpu_kind]
    xor bh, bh
    shl bx, 1
    mov si, [cpu_names + bx]
    call puts
    cmp byte [cpu_kind], 5
    jne .mode
    mov si, cpu_vendor
    call puts
    mov si, s_cpuid1
    call puts
    mov al, [cpu_family]
    xor ah, ah
    call put_dec
    mov si, s_cpuid2
    call puts
.mode:
    ; The CPU mode: SMSW reads the machine status word (the low half of CR0) at any privilege.
    mov dx, 0x0A00 + COL_VALUE
    call goto
    cmp byte [cpu_kind], 2
    jb .mode86
    mov si, s_mode1
    call puts
    cpu 286
    smsw ax
    cpu 8086
    push ax
    call put_hex16
    mov si, s_mode2
    call puts
    pop ax
    and al, 1
    add al, '0'
    call putc
    mov si, s_mode3
    call puts
    jmp .memory
.mode86:
    mov si, s_mode86
    call puts
.memory:
    mov dx, 0x0B00 + COL_VALUE
    call goto
    mov ax, [mem_low]
    call put_dec
    mov si, s_mem1
    call puts
    mov ax, [mem_ext]
    call put_dec
    mov si, s_mem2
    call puts

    ; The boot count.
    mov dx, (ROW_BOOTS << 8) + COL_VALUE
    call goto
    mov si, s_boots1
    call puts
    mov ax, [boot_count]
    call put_dec
    mov si, s_boots_once
    cmp word [boot_count], 1
    je .once
    mov si, s_boots2
.once:
    call puts
    cmp byte [write_error], 0
    je .saved
    mov si, s_boots_err
    call puts
    mov al, [write_error]
    and al, 0x7F
    call put_hex8
    mov si, s_h
    call puts
    jmp .keys
.saved:
    mov si, s_boots_ok
    call puts
.keys:
    call draw_last_key
    call draw_typed
    mov word [last_tick], 0xFFFF    ; redraw the clock and ticks now
    ret

; The "Last key" line: what INT 16h returned for the last key (or what came in on COM1).
draw_last_key:
    mov dx, (ROW_KEY << 8) + COL_VALUE
    call goto
    mov byte [attr], 0x1F
    cmp byte [last_src], 0xFF
    jne .have
    mov si, s_nokey
    call puts
    jmp .pad
.have:
    cmp byte [last_src], 1
    je .serial
    mov al, [last_ascii]
    call put_quoted
    mov si, s_scan
    call puts
    mov al, [last_scan]
    call put_hex8
    mov si, s_h
    call puts
    mov al, [last_ascii]
    test al, al
    jz .noascii
    cmp al, 0xE0
    je .noascii
    mov si, s_ascii
    call puts
    mov al, [last_ascii]
    call put_hex8
    mov si, s_h
    call puts
    mov si, s_from_kbd
    call puts
    jmp .pad
.noascii:
    mov si, s_special
    call puts
    jmp .pad
.serial:
    mov al, [last_ascii]
    call put_quoted
    mov si, s_byte
    call puts
    mov al, [last_ascii]
    call put_hex8
    mov si, s_from_com
    call puts
.pad:
    mov al, ' '
.padloop:
    cmp byte [cur_col], 79
    jae .done
    call putc
    jmp .padloop
.done:
    ret

; 'c' and a space for a printable character, else nothing.
put_quoted:
    cmp al, ' '
    jb .no
    cmp al, 0x7E
    ja .no
    push ax
    mov al, "'"
    call putc
    pop ax
    call putc
    mov al, "'"
    call putc
    mov al, ' '
    call putc
.no:
    ret

; The "Typed" line, and the cursor after it.
draw_typed:
    mov dx, (ROW_TYPED << 8) + COL_VALUE
    call goto
    mov byte [attr], 0x1F
    mov si, typed
    mov cl, [typed_len]
    xor ch, ch
    jcxz .pad
.chars:
    lodsb
    call putc
    loop .chars
.pad:
    mov al, ' '
    cmp byte [cur_col], COL_VALUE + TYPED_MAX + 1
    jae .cursor
    call putc
    jmp .pad
.cursor:
    jmp place_cursor

place_cursor:
    mov ah, 0x02
    xor bh, bh
    mov dh, ROW_TYPED
    mov dl, [typed_len]
    add dl, COL_VALUE
    int 0x10
    ret

; AL = a character typed (on the keyboard or on COM1): the Typed line and COM1 show it.
type_char:
    cmp al, 13
    je .enter
    cmp al, 8
    je .backspace
    cmp al, ' '
    jb .done
    cmp al, 0x7E
    ja .done
    mov bl, [typed_len]
    cmp bl, TYPED_MAX
    jae .done
    xor bh, bh
    mov [typed + bx], al
    inc byte [typed_len]
    call sputc
    jmp draw_typed
.enter:
    mov byte [typed_len], 0
    mov si, s_crlf
    call sputs
    jmp draw_typed
.backspace:
    cmp byte [typed_len], 0
    je .done
    dec byte [typed_len]
    mov si, s_erase
    call sputs
    jmp draw_typed
.done:
    ret

; AH = scan code, AL = ASCII from INT 16h.
handle_key:
    test al, al
    jnz .plain
    cmp ah, 0x3B                ; F1
    je mandelbrot
    cmp ah, 0x3C                ; F2
    je vectors
.plain:
    mov [last_scan], ah
    mov [last_ascii], al
    mov byte [last_src], 0
    push ax
    call draw_last_key
    pop ax
    call type_char
    jmp place_cursor

; A byte from COM1 is typed as if from the keyboard.
poll_serial:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz .none
    cmp al, 0xFF                ; no UART there
    je .none
    mov dx, COM1
    in al, dx
    mov [last_ascii], al
    mov byte [last_src], 1
    push ax
    call draw_last_key
    pop ax
    cmp al, 10                  ; a terminal's newline is Enter
    jne .type
    mov al, 13
.type:
    call type_char
    call place_cursor
    jmp poll_serial
.none:
    ret

; The clock, the tick count and the moving line, once per timer tick.
update_live:
    mov ax, [0x046C]            ; BIOS data area: ticks since midnight
    cmp ax, [last_tick]
    je .done
    mov [last_tick], ax
    mov byte [attr], 0x70
    mov dx, 0x003C
    call goto
    mov ah, 0x04                ; INT 1Ah AH=04h: the date from the CMOS clock (BCD)
    int 0x1A
    jc .time
    mov al, ch
    call put_bcd
    mov al, cl
    call put_bcd
    mov al, '-'
    call putc
    mov al, dh
    call put_bcd
    mov al, '-'
    call putc
    mov al, dl
    call put_bcd
    mov al, ' '
    call putc
.time:
    mov ah, 0x02                ; INT 1Ah AH=02h: the time
    int 0x1A
    jc .ticks
    mov al, ch
    call put_bcd
    mov al, ':'
    call putc
    mov al, cl
    call put_bcd
    mov al, ':'
    call putc
    mov al, dh
    call put_bcd
.ticks:
    mov dx, (ROW_TICKS << 8) + COL_VALUE
    call goto
    mov byte [attr], 0x1F
    mov ax, [0x046C]
    mov dx, [0x046E]
    call put_dec32
    mov byte [attr], 0x17
    mov si, s_ticks
    call puts
    call marquee
    call place_cursor
.done:
    ret

; The tips line scrolls by one character a tick, written straight into video memory at B800h.
marquee:
    push es
    mov ax, 0xB800
    mov es, ax
    mov di, (ROW_MARQUEE * 80 + 1) * 2
    mov bx, [marquee_pos]
    mov cx, 78
    mov ah, 0x1B                ; light cyan on blue
.char:
    mov al, [tips + bx]
    stosw
    inc bx
    cmp bx, TIPS_LEN
    jb .next
    xor bx, bx
.next:
    loop .char
    mov bx, [marquee_pos]
    inc bx
    cmp bx, TIPS_LEN
    jb .store
    xor bx, bx
.store:
    mov [marquee_pos], bx
    pop es
    ret

; ---- F1: the Mandelbrot set in mode 13h --------------------------------------------------------
mandelbrot:
    mov si, s_com_mandel
    call sputs
    mov ax, 0x0013              ; 320x200, 256 colours, one byte a pixel at A000:0000
    int 0x10
    mov word [phase], 0
    call set_palette
    mov ax, [0x046C]
    mov [start_tick], ax
    push es
    mov ax, 0xA000
    mov es, ax
    xor di, di
    mov word [cy], -5120        ; -1.25 in 4.12 fixed point
    mov word [py], 200
.row:
    mov word [cx_], -10240      ; -2.5
    mov word [px], 320
.pixel:
    xor si, si                  ; zx
    xor bp, bp                  ; zy
    mov bx, MAXIT
.iter:
    mov ax, si                  ; escape once |zx| or |zy| reaches 2
    cwd
    xor ax, dx
    sub ax, dx
    cmp ax, 8192
    jae .out
    mov ax, bp
    cwd
    xor ax, dx
    sub ax, dx
    cmp ax, 8192
    jae .out
    mov ax, si
    imul si                     ; zx^2 in 8.24
    call fix12
    mov [x2], ax
    mov ax, bp
    imul bp
    call fix12                  ; zy^2
    mov [y2], ax
    add ax, [x2]                ; zx^2 + zy^2 (at most 8.0, unsigned)
    cmp ax, 16384               ; > 4.0: outside
    ja .out
    mov ax, si
    imul bp                     ; zx * zy
    call fix11                  ; 2 * zx * zy
    add ax, [cy]
    mov bp, ax                  ; zy' = 2 zx zy + cy
    mov si, [x2]
    sub si, [y2]
    add si, [cx_]               ; zx' = zx^2 - zy^2 + cx
    dec bx
    jnz .iter
    xor al, al                  ; inside: black
    jmp .plot
.out:
    mov ax, MAXIT
    sub ax, bx                  ; iterations done
    mov cl, 5
    mul cl
    mov cl, CYCLE
    div cl
    mov al, ah
    inc al                      ; colour 1..192
.plot:
    stosb
    add word [cx_], 45          ; 3.5 / 320
    dec word [px]
    jnz .pixel
    add word [cy], 51           ; 2.5 / 200
    mov ah, 0x01                ; a key stops the drawing
    int 0x16
    jnz .stopped
    dec word [py]
    jnz .row
    pop es
    mov ax, [0x046C]
    sub ax, [start_tick]
    mov [mandel_ticks], ax
    mov si, s_com_drawn
    call sputs
    mov ax, [mandel_ticks]
    call sdec
    mov si, s_com_drawn2
    call sputs
    ; BIOS text in a graphics mode: INT 10h draws the characters' pixels.
    mov dx, 0x1600
    mov si, s_m1
    call gputs
    mov dx, 0x1700
    mov si, s_m2
    call gputs
    mov dx, 0x1800
    mov si, s_m3
    call gputs
.cycle:
    mov ax, [0x046C]
.wait:
    sti
    hlt
    push ax
    mov ah, 0x01
    int 0x16
    pop ax
    jnz .key
    cmp ax, [0x046C]
    je .wait
    add word [phase], 2         ; rotate the colours: only the DAC changes, not the pixels
    cmp word [phase], CYCLE
    jb .set
    sub word [phase], CYCLE
.set:
    call set_palette
    jmp .cycle
.stopped:
    pop es
.key:
    xor ah, ah
    int 0x16
    mov si, s_com_back
    call sputs
    jmp draw_main

; DX:AX >> 12 into AX (the product of two 4.12 numbers back in 4.12).
fix12:
    mov cl, 12
    shr ax, cl
    mov cl, 4
    shl dx, cl
    or ax, dx
    ret

; DX:AX >> 11 into AX.
fix11:
    mov cl, 11
    shr ax, cl
    mov cl, 5
    shl dx, cl
    or ax, dx
    ret

; The DAC: colours 1..192 a rainbow starting at [phase], 255 white. Port 3C8h takes the first
; index, then 3C9h red, green and blue (0-63) of each colour in turn.
set_palette:
    mov dx, 0x3C8
    mov al, 1
    out dx, al
    inc dx
    mov bx, [phase]
    mov cx, CYCLE
.entry:
    mov ax, bx                  ; t = 0..191: three ramps of 64
    mov ah, al
    and ah, 63                  ; f
    mov al, 63
    sub al, ah                  ; 63 - f
    cmp bx, 64
    jb .red_green
    cmp bx, 128
    jb .green_blue
    xchg al, ah                 ; blue to red: r = f, g = 0, b = 63 - f
    out dx, al
    xor al, al
    out dx, al
    mov al, ah
    out dx, al
    jmp .next
.red_green:                     ; r = 63 - f, g = f, b = 0
    out dx, al
    mov al, ah
    out dx, al
    xor al, al
    out dx, al
    jmp .next
.green_blue:                    ; r = 0, g = 63 - f, b = f
    push ax
    xor al, al
    out dx, al
    pop ax
    out dx, al
    mov al, ah
    out dx, al
.next:
    inc bx
    cmp bx, CYCLE
    jb .wrap
    xor bx, bx
.wrap:
    loop .entry
    dec dx
    mov al, WHITE
    out dx, al
    inc dx
    mov al, 63
    out dx, al
    out dx, al
    out dx, al
    ret

; Graphics-mode text at row DH, column DL (INT 10h AH=02h, then AH=0Eh with the colour in BL).
gputs:
    mov ah, 0x02
    xor bh, bh
    int 0x10
.char:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    mov bx, WHITE
    int 0x10
    jmp .char
.done:
    ret

; ---- F2: the interrupt vector table ------------------------------------------------------------
vectors:
    mov si, s_com_vectors
    call sputs
    mov bh, 0x17
    xor cx, cx
    mov dx, 0x184F
    call clear_window
    mov bh, 0x70
    xor cx, cx
    mov dx, 0x004F
    call clear_window
    mov bh, 0x70
    mov cx, 0x1800
    mov dx, 0x184F
    call clear_window
    mov si, vector_text
    call put_table
    xor bx, bx                  ; vector number
    mov si, vector_names
.entry:
    mov dh, bl                  ; row 3 + (n mod 16), column 1 or 41
    and dh, 15
    add dh, 3
    mov dl, 1
    test bl, 16
    jz .col
    mov dl, 41
.col:
    call goto
    mov byte [attr], 0x1E
    mov al, bl
    call put_hex8
    mov al, 'h'
    call putc
    mov al, ' '
    call putc
    mov byte [attr], 0x1F
    push bx
    shl bx, 1
    shl bx, 1
    mov ax, [bx + 2]            ; the vector: offset at 4n, segment at 4n + 2
    call put_hex16
    mov al, ':'
    call putc
    mov ax, [bx]
    call put_hex16
    pop bx
    mov byte [attr], 0x17
    mov al, ' '
    call putc
    call puts                   ; SI walks through the names
    inc bl
    cmp bl, 32
    jb .entry
    mov ah, 0x02                ; park the cursor out of the way
    xor bh, bh
    mov dx, 0x184F
    int 0x10
    xor ah, ah
    int 0x16
    mov si, s_com_back
    call sputs
    jmp draw_main

; ---- text output through the BIOS --------------------------------------------------------------
; Fill the window CH,CL to DH,DL with blanks of attribute BH (INT 10h AH=06h, AL=0).
clear_window:
    mov ax, 0x0600
    int 0x10
    ret

; A table of texts: row, column, attribute, zero-terminated text; a row of FFh ends it.
put_table:
    lodsb
    cmp al, 0xFF
    je .done
    mov dh, al
    lodsb
    mov dl, al
    lodsb
    mov [attr], al
    call goto
    call puts
    jmp put_table
.done:
    ret

goto:
    mov [cur_row], dh
    mov [cur_col], dl
    ret

; One character at the output position, in [attr]: INT 10h AH=02h moves the cursor there,
; AH=09h writes the character and its attribute.
putc:
    push ax
    push bx
    push cx
    push dx
    push ax
    mov ah, 0x02
    xor bh, bh
    mov dh, [cur_row]
    mov dl, [cur_col]
    int 0x10
    pop ax
    mov ah, 0x09
    xor bh, bh
    mov bl, [attr]
    mov cx, 1
    int 0x10
    inc byte [cur_col]
    pop dx
    pop cx
    pop bx
    pop ax
    ret

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

put_hex16:
    push ax
    mov al, ah
    call put_hex8
    pop ax
put_hex8:
    push ax
    push cx
    mov cl, 4
    shr al, cl
    call put_nibble
    pop cx
    pop ax
    push ax
    and al, 15
    call put_nibble
    pop ax
    ret

put_nibble:
    add al, '0'
    cmp al, '9'
    jbe .digit
    add al, 'A' - '9' - 1
.digit:
    jmp putc

put_bcd:
    jmp put_hex8                ; a BCD byte prints as its two hex digits

put_dec:
    xor dx, dx
; DX:AX as an unsigned decimal number.
put_dec32:
    mov cx, 0                   ; digits pushed
.divide:
    push ax                     ; DX:AX / 10, remainder in BX
    mov ax, dx
    xor dx, dx
    mov bx, 10
    div bx
    mov di, ax                  ; high quotient
    pop ax
    div bx
    push dx                     ; the digit
    inc cx
    mov dx, di
    mov bx, ax
    or bx, dx
    jnz .divide
.print:
    pop ax
    add al, '0'
    call putc
    loop .print
    ret

; ---- COM1 --------------------------------------------------------------------------------------
; 115200 bit/s, 8 data bits, no parity, one stop bit, FIFOs on.
serial_init:
    mov dx, COM1 + 3
    mov al, 0x80                ; DLAB: the next two ports are the divisor
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    inc dx
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0x07
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x03                ; DTR and RTS
    out dx, al
    ret

; Send AL: wait (a while at most) for the transmitter to be free, then write it to 3F8h.
sputc:
    push ax
    push cx
    push dx
    mov ah, al
    mov dx, COM1 + 5
    mov cx, 0xFFFF
.wait:
    in al, dx
    test al, 0x20
    jnz .send
    loop .wait
.send:
    mov dx, COM1
    mov al, ah
    out dx, al
    pop dx
    pop cx
    pop ax
    ret

sputs:
    lodsb
    test al, al
    jz .done
    call sputc
    jmp sputs
.done:
    ret

shex8:
    push ax
    mov cl, 4
    shr al, cl
    call .nibble
    pop ax
    and al, 15
.nibble:
    add al, '0'
    cmp al, '9'
    jbe .digit
    add al, 'A' - '9' - 1
.digit:
    jmp sputc

; AX as a decimal number on COM1.
sdec:
    xor cx, cx
    mov bx, 10
.divide:
    xor dx, dx
    div bx
    push dx
    inc cx
    test ax, ax
    jnz .divide
.print:
    pop ax
    add al, '0'
    call sputc
    loop .print
    ret

; ---- texts -------------------------------------------------------------------------------------
%define ROWCOL(r, c, a) db r, c, a

main_text:
    ROWCOL(0, 1, 0x70)
    db "aula86 demo disk", 0
    ROWCOL(2, 2, 0x1E)
    db "How this screen got here", 0
    ROWCOL(3, 3, 0x17)
    db "1. At power-on the CPU starts at F000:FFF0 in the BIOS, which tests the PC.", 0
    ROWCOL(6, 3, 0x17)
    db "4. It writes this text with INT 10h, the video BIOS, in text mode 03h.", 0
    ROWCOL(8, 2, 0x1E)
    db "This machine", 0
    ROWCOL(9, 3, 0x17)
    db "Processor", 0
    ROWCOL(10, 3, 0x17)
    db "CPU mode", 0
    ROWCOL(11, 3, 0x17)
    db "Memory", 0
    ROWCOL(12, 3, 0x17)
    db "Timer", 0
    ROWCOL(13, 3, 0x17)
    db "Boot count", 0
    ROWCOL(15, 2, 0x1E)
    db "Keyboard and serial port", 0
    ROWCOL(16, 3, 0x17)
    db "Last key", 0
    ROWCOL(17, 3, 0x17)
    db "Typed", 0
    ROWCOL(18, 3, 0x17)
    db "COM1", 0
    ROWCOL(18, COL_VALUE, 0x17)
    db "what you type goes out on port 3F8h; what comes in is typed too", 0
    ROWCOL(20, 2, 0x1E)
    db "Tips", 0
    ROWCOL(24, 1, 0x70)
    db "F1 Mandelbrot set (graphics)   F2 interrupt vectors   Ctrl-Alt-Del reboot", 0
    db 0xFF

vector_text:
    ROWCOL(0, 1, 0x70)
    db "aula86 demo disk: the interrupt vector table", 0
    ROWCOL(1, 1, 0x17)
    db "INT n jumps to the segment:offset stored at 0000:4n. IRQs 0-7 use 08h-0Fh.", 0
    ROWCOL(24, 1, 0x70)
    db "Any key: back", 0
    db 0xFF

cpu_names:
    dw s_cpu0, s_cpu1, s_cpu2, s_cpu3, s_cpu4, s_cpu5
s_cpu0: db "8086 or 8088 (16-bit, 1 MB, real mode only)", 0
s_cpu1: db "80186 (the 8086 with more instructions)", 0
s_cpu2: db "80286 (16-bit protected mode, 16 MB)", 0
s_cpu3: db "80386 (32-bit protected mode and paging)", 0
s_cpu4: db "80486 (an 80386 with the FPU and a cache on chip)", 0
s_cpu5: db '"', 0
s_cpuid1: db '" family ', 0
s_cpuid2: db " (CPUID; 4 486, 5 Pentium, 6 Pentium Pro)", 0
s_story2: db "2. INT 19h loaded sector 0 of drive ", 0
s_story2b: db "h to 0000:7C00 and jumped to it.", 0
s_story3: db "3. That boot sector read ", 0
s_story3b: db " more sectors with INT 13h: this program.", 0

s_mode1:  db "real mode; SMSW says MSW = ", 0
s_mode2:  db "h, PE = ", 0
s_mode3:  db " (protection off)", 0
s_mode86: db "real mode (the only mode the 8086 has)", 0
s_mem1:   db " KB below 1 MB (INT 12h), ", 0
s_mem2:   db " KB above it (INT 15h AH=88h)", 0
s_ticks:  db " ticks since midnight, 18.2 a second (IRQ 0, INT 08h)  ", 0
s_boots1: db "this disk has booted ", 0
s_boots_once: db " time", 0
s_boots2: db " times", 0
s_boots_ok: db ": sector 1 keeps the count (INT 13h)", 0
s_boots_err: db ": saving it failed, INT 13h status ", 0
s_nokey:  db "none yet: click the screen and type", 0
s_scan:   db "scan code ", 0
s_ascii:  db ", ASCII ", 0
s_from_kbd: db " (INT 16h, from port 60h at IRQ 1)", 0
s_special: db " (a key with no character)", 0
s_byte:   db "byte ", 0
s_from_com: db "h from COM1 (port 3F8h)", 0
s_h:      db "h", 0

s_m1: db "Mode 13h: 320x200, 256 colours", 0
s_m2: db "One byte a pixel at A000:0000", 0
s_m3: db "Colours cycle in the DAC. Any key: back", 0

s_com_hello:   db "aula86 demo disk: booted from drive ", 0
s_com_hello2:  db "h, boot number ", 0
s_com_mandel:  db 13, 10, "[mode 13h: drawing the Mandelbrot set]", 13, 10, 0
s_com_drawn:   db "[drawn in ", 0
s_com_drawn2:  db " timer ticks]", 13, 10, 0
s_com_vectors: db 13, 10, "[the interrupt vector table]", 13, 10, 0
s_com_back:    db "[back to text mode]", 13, 10, 0
s_crlf:        db 13, 10, 0
s_erase:       db 8, " ", 8, 0

tips:
    db "Type on the keyboard: each key shows its scan code and goes out on COM1.   "
    db "F1 draws the Mandelbrot set in the 256-colour mode 13h, F2 lists the interrupt vectors.   "
    db "Press Ctrl-Alt-Del and the boot count goes up: this program rewrote sector 1 of the disk, "
    db "and the page keeps what the guest writes (its download button saves the disk image).   "
    db "Everything here is 16-bit real-mode code, tests/guests/demo_floppy.asm in aula86.   "
TIPS_LEN equ $ - tips

vector_names:
    db "divide error", 0
    db "single step", 0
    db "NMI", 0
    db "breakpoint (INT3)", 0
    db "overflow (INTO)", 0
    db "print screen, BOUND", 0
    db "invalid opcode", 0
    db "no coprocessor", 0
    db "IRQ 0: timer", 0
    db "IRQ 1: keyboard", 0
    db "IRQ 2: cascade", 0
    db "IRQ 3: COM2", 0
    db "IRQ 4: COM1", 0
    db "IRQ 5: LPT2", 0
    db "IRQ 6: floppy disk", 0
    db "IRQ 7: LPT1", 0
    db "video BIOS", 0
    db "equipment list", 0
    db "memory size", 0
    db "disk BIOS", 0
    db "serial port BIOS", 0
    db "system services", 0
    db "keyboard BIOS", 0
    db "printer BIOS", 0
    db "no boot disk", 0
    db "bootstrap loader", 0
    db "time of day", 0
    db "Ctrl-Break", 0
    db "user timer tick", 0
    db "video parameters", 0
    db "diskette parameters", 0
    db "graphics font", 0

program_end:
RESERVED equ (program_end - boot + 511) / 512

    times RESERVED * 512 - ($ - $$) db 0

; ---- the two FATs start after the reserved sectors; the rest of the disk is zeros --------------
fat1:
    db 0xF0, 0xFF, 0xFF
    times 9 * 512 - ($ - fat1) db 0
fat2:
    db 0xF0, 0xFF, 0xFF
    times 512 - ($ - fat2) db 0

; ---- variables (not in the image: memory after the loaded program) -----------------------------
absolute LOAD_ADDR + (RESERVED - 1) * 512
boot_drive:     resb 1
cpu_kind:       resb 1
cpu_family:     resb 1
cpu_vendor:     resb 13
write_error:    resb 1
mem_low:        resw 1
mem_ext:        resw 1
attr:           resb 1
cur_row:        resb 1
cur_col:        resb 1
last_scan:      resb 1
last_ascii:     resb 1
last_src:       resb 1
typed_len:      resb 1
typed:          resb TYPED_MAX
last_tick:      resw 1
marquee_pos:    resw 1
phase:          resw 1
start_tick:     resw 1
mandel_ticks:   resw 1
cx_:            resw 1
cy:             resw 1
px:             resw 1
py:             resw 1
x2:             resw 1
y2:             resw 1
