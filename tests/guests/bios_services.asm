; bios_services.asm: a boot floppy that exercises the BIOS services other than video and disk
; (INT 11h, 12h, 14h, 15h, 16h, 17h, 1Ah, 08h/1Ch, the RTC alarm's INT 4Ah, Ctrl+Break's INT 1Bh,
; INT 19h) and reports each answer on port E9h, one line per call, in a fixed format. The test
; (crates/pc/tests/bios_services.rs) compares it.
;
; Lines ending in "?" are requests to the host: "SERIAL?" (send "ok" into COM1), "KEYS?" (type
; the key sequence), "RELEASE?" (release the keys held down), "BREAK?" (Ctrl+Pause). The guest
; waits for the answer (with a time-out where a missing answer would hang it).
;
; Build: nasm -f bin bios_services.asm

        cpu     386
        bits    16
        org     7C00h

STAGE2_SECTORS equ 16

boot:
        jmp     short .start
        nop
        times   62-($-$$) db 0          ; room for a BPB
.start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 7C00h
        sti
        cld
        mov     [boot_drive], dl
        mov     ax, 0200h + STAGE2_SECTORS
        mov     cx, 0002h               ; cylinder 0, sector 2
        xor     dh, dh
        mov     bx, stage2
        int     13h
        jc      .fail
        jmp     stage2
.fail:
        mov     al, '!'
        out     0E9h, al
        cli
        hlt

boot_drive: db 0

        times   510-($-$$) db 0
        dw      0AA55h

; ---------------------------------------------------------------------------------------------
stage2:
        cmp     dword [4F0h], 'R19!'    ; back from the INT 19h at the end?
        je      rebooted
        mov     si, s_boot
        call    puts

        ; --- INT 11h, 12h -----------------------------------------------------------------------
        int     11h
        mov     si, s_11
        call    puts
        call    hex16
        call    nl
        int     12h
        mov     si, s_12
        call    puts
        call    hex16
        call    nl

        ; --- INT 15h/E820h: walk the whole map --------------------------------------------------
        xor     ebx, ebx
        mov     byte [count], 0
.e820:
        mov     eax, 0E820h
        mov     edx, 534D4150h
        mov     ecx, 24
        mov     di, buf
        mov     dword [buf + 20], 1
        int     15h
        jc      .e820_end
        cmp     eax, 534D4150h
        jne     .e820_bad
        push    ebx
        mov     si, s_e820
        call    puts
        mov     eax, [buf + 4]
        call    hex32
        mov     eax, [buf]
        call    hex32
        call    space
        mov     eax, [buf + 12]
        call    hex32
        mov     eax, [buf + 8]
        call    hex32
        call    space
        mov     al, [buf + 16]
        call    hex8
        call    nl
        pop     ebx
        inc     byte [count]
        cmp     byte [count], 32
        jae     .e820_end
        test    ebx, ebx
        jnz     .e820
        jmp     .e820_end
.e820_bad:
        mov     si, s_bad
        call    puts
.e820_end:
        mov     si, s_e820n
        call    puts
        mov     al, [count]
        call    hex8
        call    nl

        ; --- E801h, 88h ----------------------------------------------------------------------------
        mov     ax, 0E801h
        xor     bx, bx
        xor     cx, cx
        xor     dx, dx
        int     15h
        call    save
        mov     si, s_e801
        call    cf_ah
        mov     si, s_ax
        call    puts
        mov     ax, [r_ax]
        call    hex16
        mov     si, s_bx
        call    puts
        mov     ax, [r_bx]
        call    hex16
        mov     si, s_cx
        call    puts
        mov     ax, [r_cx]
        call    hex16
        mov     si, s_dx
        call    puts
        mov     ax, [r_dx]
        call    hex16
        call    nl

        mov     ah, 88h
        int     15h
        call    save
        mov     si, s_88
        call    puts
        mov     si, s_cf
        call    puts
        call    cf_digit
        mov     si, s_ax
        call    puts
        mov     ax, [r_ax]
        call    hex16
        call    nl

        ; --- C0h: the configuration table ----------------------------------------------------
        push    es
        mov     ah, 0C0h
        int     15h
        call    save
        mov     si, s_c0
        call    cf_ah
        mov     si, s_table
        call    puts
        mov     cx, [es:bx]             ; table length, then that many bytes
        mov     ax, cx
        call    hex16
        add     cx, 2
        cmp     cx, 16
        jbe     .c0
        mov     cx, 16
.c0:    call    space
        mov     al, [es:bx]
        call    hex8
        inc     bx
        loop    .c0
        call    nl
        pop     es

        ; --- A20: 2402h, 2400h, 2401h, 2403h, with the wraparound seen at FFFF:0510 ------------
        mov     ax, 2402h
        int     15h
        call    save
        mov     si, s_2402
        call    cf_ah
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        call    wrap
        call    nl

        mov     ax, 2400h
        int     15h
        call    save
        mov     si, s_2400
        call    cf_ah
        call    wrap
        mov     ax, 2402h
        int     15h
        mov     si, s_al
        call    puts
        call    hex8
        call    nl

        mov     ax, 2401h
        int     15h
        call    save
        mov     si, s_2401
        call    cf_ah
        call    wrap
        mov     ax, 2402h
        int     15h
        mov     si, s_al
        call    puts
        call    hex8
        call    nl

        mov     ax, 2403h
        int     15h
        call    save
        mov     si, s_2403
        call    cf_ah
        mov     si, s_bx
        call    puts
        mov     ax, [r_bx]
        call    hex16
        call    nl

        ; --- 87h: 512 bytes to 2 MiB and back --------------------------------------------------
        mov     di, pattern
        mov     cx, 512
        xor     al, al
.pat:   stosb
        add     al, 37
        loop    .pat
        mov     eax, pattern            ; source: pattern (linear, CS=0), destination 200000h
        mov     ebx, 200000h
        call    move
        call    save
        mov     si, s_87a
        call    cf_ah
        mov     si, s_zf
        call    puts
        mov     al, [r_fl]
        shr     al, 6
        and     al, 1
        call    digit
        call    nl
        mov     di, back                ; clear the landing buffer, then copy back
        mov     cx, 512
        mov     al, 0CCh
        rep stosb
        mov     eax, 200000h
        mov     ebx, back
        call    move
        call    save
        mov     si, s_87b
        call    cf_ah
        mov     si, pattern
        mov     di, back
        mov     cx, 512
        repe cmpsb
        mov     si, s_same
        je      .same
        mov     si, s_differ
.same:  call    puts
        call    nl

        ; --- 86h: wait 200 ms, measured in INT 08h ticks (3.6 expected) ---------------------
        call    tick_edge
        mov     ebp, [46Ch]
        mov     ah, 86h
        mov     cx, 0003h
        mov     dx, 0D40h
        int     15h
        call    save
        mov     eax, [46Ch]
        sub     eax, ebp
        mov     [count], al
        mov     si, s_86
        call    cf_ah
        mov     si, s_ticks
        call    puts
        mov     al, [count]
        cmp     al, 3
        jb      .w_bad
        cmp     al, 4
        ja      .w_bad
        mov     si, s_ok
        jmp     .w_out
.w_bad: call    hex8
        mov     si, s_bad
.w_out: call    puts
        call    nl

        ; --- INT 1Ah: RTC time and date ------------------------------------------------------
        mov     ah, 03h
        mov     cx, 1234h
        mov     dx, 5600h
        int     1Ah
        call    save
        mov     si, s_1a03
        call    cf
        call    nl
        mov     ah, 02h
        int     1Ah
        call    save
        mov     si, s_1a02
        call    cf
        mov     si, s_time
        call    puts
        mov     al, [r_cx + 1]
        call    hex8
        mov     al, ':'
        call    putc
        mov     al, [r_cx]
        call    hex8
        mov     al, ':'
        call    putc
        mov     al, [r_dx + 1]
        cmp     al, 56h                 ; the clock runs: 56 or 57
        je      .sec
        cmp     al, 57h
        jne     .sec_bad
.sec:   mov     al, 56h
.sec_bad:
        call    hex8
        mov     si, s_dl
        call    puts
        mov     al, [r_dx]
        call    hex8
        call    nl

        mov     ah, 05h
        mov     cx, 2025h
        mov     dx, 1231h
        int     1Ah
        call    save
        mov     si, s_1a05
        call    cf
        call    nl
        mov     ah, 04h
        int     1Ah
        call    save
        mov     si, s_1a04
        call    cf
        mov     si, s_date
        call    puts
        mov     ax, [r_cx]
        call    hex16
        mov     al, '-'
        call    putc
        mov     al, [r_dx + 1]
        call    hex8
        mov     al, '-'
        call    putc
        mov     al, [r_dx]
        call    hex8
        call    nl

        ; Alarm: set, set again (refused), reset, set, reset.
        mov     si, s_1a06
        call    alarm
        mov     si, s_1a06b
        call    alarm
        mov     ah, 07h
        int     1Ah
        call    save
        mov     si, s_1a07
        call    cf
        call    nl
        mov     si, s_1a06c
        call    alarm
        mov     ah, 07h
        int     1Ah

        ; The alarm rings: IRQ8, INT 70h calls INT 4Ah (hooked here) at 10:00:01.
        cli
        mov     eax, [4Ah * 4]
        mov     [old4a], eax
        mov     word [4Ah * 4], int4a_hook
        mov     word [4Ah * 4 + 2], 0
        sti
        mov     ah, 03h
        mov     cx, 1000h
        mov     dx, 0000h
        int     1Ah
        mov     ah, 06h
        mov     cx, 1000h
        mov     dx, 0100h
        int     1Ah
        mov     ebx, [46Ch]
.alarm: hlt
        cmp     word [calls4a], 0
        jne     .rang
        mov     eax, [46Ch]
        sub     eax, ebx
        cmp     eax, 55                 ; 3 s
        jb      .alarm
.rang:  mov     ah, 07h
        int     1Ah
        cli
        mov     eax, [old4a]
        mov     [4Ah * 4], eax
        sti
        mov     si, s_4a
        call    puts
        mov     ax, [calls4a]
        call    hex16
        call    nl

        ; Ticks: 01h sets the count, 00h reads it, and the midnight flag after the last tick.
        mov     ah, 01h
        mov     cx, 0012h
        mov     dx, 3456h
        cli
        int     1Ah
        xor     ah, ah
        int     1Ah
        sti
        call    save
        mov     si, s_1a00
        call    puts
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        call    print_cxdx
        call    nl
        mov     ah, 01h
        mov     cx, 0018h
        mov     dx, 00AFh               ; 1800AFh: the last tick of the day
        cli
        int     1Ah
        sti
        call    tick_edge
        xor     ah, ah
        int     1Ah
        call    save
        mov     si, s_1a00m
        call    puts
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        call    print_cxdx
        call    nl
        xor     ah, ah
        int     1Ah
        call    save
        mov     si, s_1a00
        call    puts
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        call    nl

        ; --- INT 08h calls INT 1Ch: count 5 ticks through a hook ------------------------------
        cli
        mov     eax, [1Ch * 4]
        mov     [old1c], eax
        mov     word [1Ch * 4], int1c_hook
        mov     word [1Ch * 4 + 2], 0
        sti
        call    tick_edge
        mov     word [ticks1c], 0
        mov     ebp, [46Ch]
.t5:    hlt
        mov     eax, [46Ch]
        sub     eax, ebp
        cmp     eax, 5
        jb      .t5
        mov     cx, [ticks1c]
        cli
        mov     eax, [old1c]
        mov     [1Ch * 4], eax
        sti
        mov     si, s_1c
        call    puts
        mov     ax, cx
        call    hex16
        call    nl

        ; --- INT 14h on COM1 -------------------------------------------------------------------
        mov     ax, 00E3h               ; 9600 baud, no parity, 1 stop bit, 8 bits
        xor     dx, dx
        int     14h
        call    save
        mov     si, s_1400
        call    puts
        mov     si, s_ax
        call    puts
        mov     ax, [r_ax]
        and     al, 0F0h                ; modem status lines only
        call    hex16
        call    nl
        mov     si, s_hi
.send:  lodsb
        test    al, al
        jz      .sent
        mov     ah, 01h
        xor     dx, dx
        int     14h
        mov     [r_ax], ax
        jmp     .send
.sent:  mov     si, s_1401
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, [r_ax + 1]
        call    hex8
        call    nl
        mov     ah, 03h
        xor     dx, dx
        int     14h
        mov     si, s_1403
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, ah
        call    hex8
        call    nl
        mov     si, s_serialq
        call    puts
        call    recv
        call    recv
        mov     ah, 03h
        xor     dx, dx
        int     14h
        mov     si, s_1403
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, ah
        call    hex8
        call    nl
        mov     ah, 02h                 ; nothing more comes: time-out
        xor     dx, dx
        int     14h
        mov     si, s_1402t
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, ah
        and     al, 80h
        call    hex8
        call    nl
        mov     ah, 00h                 ; COM2 is not fitted
        mov     al, 0E3h
        mov     dx, 1
        int     14h
        mov     si, s_1400c2
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, ah
        and     al, 80h
        call    hex8
        call    nl

        ; --- INT 17h: no printer ---------------------------------------------------------------
        mov     ah, 02h
        xor     dx, dx
        int     17h
        mov     si, s_17
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, ah
        call    hex8
        call    nl

        ; --- INT 16h ---------------------------------------------------------------------------
        mov     ah, 01h
        int     16h
        call    save
        mov     si, s_1601e
        call    zf
        call    nl
        mov     ah, 11h
        int     16h
        call    save
        mov     si, s_1611e
        call    zf
        call    nl
        mov     ah, 05h
        mov     cx, 1234h
        int     16h
        mov     si, s_1605
        call    puts
        mov     si, s_al
        call    puts
        call    hex8
        call    nl
        mov     ah, 11h
        int     16h
        call    save
        mov     si, s_1611
        call    zf
        call    print_ax
        call    nl
        mov     ah, 01h
        int     16h
        call    save
        mov     si, s_1601
        call    zf
        call    print_ax
        call    nl
        mov     ah, 10h
        int     16h
        mov     si, s_1610
        call    puts
        call    print_ax_now
        call    nl
        ; Fill the buffer: 15 keys fit, the 16th is refused.
        xor     bx, bx
.fill:  mov     ah, 05h
        mov     cx, 3900h + ' '
        int     16h
        test    al, al
        jnz     .full
        inc     bx
        cmp     bx, 40
        jb      .fill
.full:  mov     si, s_1605f
        call    puts
        xchg    al, bl
        call    hex8
        mov     si, s_al
        call    puts
        mov     al, bl
        call    hex8
        call    nl
.drain: mov     ah, 11h
        int     16h
        jz      .drained
        mov     ah, 10h
        int     16h
        jmp     .drain
.drained:
        mov     ah, 0Ah
        int     16h
        mov     si, s_160a
        call    puts
        mov     si, s_bx
        call    puts
        mov     ax, bx
        call    hex16
        call    nl

        ; Keys typed by the host, through the 8042, IRQ1 and INT 09h, offered to INT 15h/4Fh:
        ; the hook counts the calls and turns Q (10h/90h) into W (11h/91h).
        cli
        mov     eax, [15h * 4]
        mov     [old15], eax
        mov     word [15h * 4], int15_hook
        mov     word [15h * 4 + 2], 0
        sti
        mov     si, s_keysq
        call    puts
        mov     si, k_q                 ; q, seen as w
        call    read10
        mov     si, k_shift             ; shift+a
        call    read10
        mov     si, k_ctrl              ; ctrl+a
        call    read10
        mov     si, k_alt               ; alt+a
        call    read10
        mov     si, k_up                ; grey up, enhanced
        call    read10
        mov     si, k_up0               ; grey up, classic
        call    read00
.f12:   mov     ah, 11h                 ; F12 then b: the enhanced peek sees F12 ...
        int     16h
        jz      .f12
        call    save
        mov     si, k_f12
        call    zf
        call    print_ax
        call    nl
.b:     mov     ah, 01h                 ; ... the classic peek skips it
        int     16h
        jz      .b
        call    save
        mov     si, k_b01
        call    zf
        call    print_ax
        call    nl
        mov     si, k_b00
        call    read00
        ; Right Ctrl and left Shift held down: the shift flags.
.held:  mov     ah, 12h
        int     16h
        and     ax, 0F0Fh
        cmp     ax, 0406h
        je      .heldok
        hlt
        jmp     .held
.heldok:
        mov     ah, 02h
        int     16h
        mov     si, s_1602
        call    puts
        mov     si, s_al
        call    puts
        call    hex8
        call    nl
        mov     ah, 12h
        int     16h
        mov     si, s_1612
        call    puts
        call    print_ax_now
        call    nl
        mov     si, s_releaseq
        call    puts
.rel:   mov     ah, 02h
        int     16h
        test    al, 0Fh
        jz      .relok
        hlt
        jmp     .rel
.relok: mov     ah, 12h
        int     16h
        mov     si, s_1612
        call    puts
        call    print_ax_now
        call    nl
        mov     si, s_4f
        call    puts
        mov     ax, [calls4f]
        call    hex16
        call    nl

        ; Ctrl+Break: INT 1Bh called, break flag at 40:71h, 0000h in an emptied buffer.
        cli
        mov     eax, [1Bh * 4]
        mov     [old1b], eax
        mov     word [1Bh * 4], int1b_hook
        mov     word [1Bh * 4 + 2], 0
        sti
        mov     si, s_breakq
        call    puts
        mov     ebx, [46Ch]
.brk:   hlt
        cmp     word [calls1b], 0
        jne     .broke
        mov     eax, [46Ch]
        sub     eax, ebx
        cmp     eax, 55                 ; 3 s
        jb      .brk
        mov     ah, 05h                 ; no break: leave a key so that the read goes on
        mov     cx, 0FFFFh
        int     16h
.broke:
        cli
        mov     eax, [old1b]
        mov     [1Bh * 4], eax
        sti
        mov     si, s_1b
        call    puts
        mov     ax, [calls1b]
        call    hex16
        mov     si, s_flag
        call    puts
        mov     al, [471h]
        and     al, 80h
        call    hex8
        call    nl
        mov     si, k_break
        call    read10
        mov     ah, 11h
        int     16h
        call    save
        mov     si, s_1611e
        call    zf
        call    nl
        cli
        mov     eax, [old15]
        mov     [15h * 4], eax
        sti

        ; INT 19h: boot again (memory kept; the intra-application area 40:F0h says so).
        mov     dword [4F0h], 'R19!'
        mov     si, s_19
        call    puts
        int     19h
        mov     si, s_bad
        call    puts
        call    nl
        jmp     done

rebooted:
        mov     dword [4F0h], 0
        mov     si, s_19b
        call    puts
        mov     al, [boot_drive]
        call    hex8
        call    nl
done:
        mov     si, s_done
        call    puts
.halt:  cli
        hlt
        jmp     .halt

; --- hooks -----------------------------------------------------------------------------------

int15_hook:
        cmp     ah, 4Fh
        jne     .chain
        inc     word [cs:calls4f]
        cmp     al, 10h
        jne     .brk
        mov     al, 11h
        jmp     .chain
.brk:   cmp     al, 90h
        jne     .chain
        mov     al, 91h
.chain: jmp     far [cs:old15]

int4a_hook:
        inc     word [cs:calls4a]
        iret

int1b_hook:
        inc     word [cs:calls1b]
        iret

int1c_hook:
        inc     word [cs:ticks1c]
        jmp     far [cs:old1c]

; --- helpers ---------------------------------------------------------------------------------

; INT 15h/87h: move 256 words from linear EAX to linear EBX.
move:
        push    es
        mov     di, gdt
        push    di
        mov     cx, 24
        push    ax
        xor     ax, ax
        rep stosw
        pop     ax
        mov     word [gdt + 10h], 0FFFFh
        mov     [gdt + 12h], eax
        mov     byte [gdt + 15h], 93h
        mov     word [gdt + 18h], 0FFFFh
        mov     [gdt + 1Ah], ebx
        mov     byte [gdt + 1Dh], 93h
        pop     si
        xor     ax, ax
        mov     es, ax
        mov     ah, 87h
        mov     cx, 256
        int     15h
        pop     es
        ret

; Print " wrap=N": whether FFFF:0510 is the same byte as 0000:0500 (A20 off).
wrap:
        push    ds
        push    ax
        mov     byte [500h], 55h
        mov     ax, 0FFFFh
        mov     ds, ax
        mov     byte [510h], 0AAh
        xor     ax, ax
        mov     ds, ax
        mov     si, s_wrap
        call    puts
        mov     al, [500h]
        cmp     al, 0AAh
        sete    al
        call    digit
        pop     ax
        pop     ds
        ret

; INT 1Ah/06h with the label at SI: alarm at 23:59:59.
alarm:
        push    si
        mov     ah, 06h
        mov     cx, 2359h
        mov     dx, 5900h
        int     1Ah
        call    save
        pop     si
        call    cf
        call    nl
        ret

; Wait until the tick count changes (returns just after a tick).
tick_edge:
        sti
        mov     eax, [46Ch]
.w:     hlt
        cmp     eax, [46Ch]
        je      .w
        ret

; INT 14h/02h once a byte is there (polled with 03h, up to 2 s).
recv:
        mov     bp, 37
        mov     ebx, [46Ch]
.p:     mov     ah, 03h
        xor     dx, dx
        int     14h
        test    ah, 1
        jnz     .get
        hlt
        mov     eax, [46Ch]
        cmp     eax, ebx
        je      .p
        mov     ebx, eax
        dec     bp
        jnz     .p
.get:   mov     ah, 02h
        xor     dx, dx
        int     14h
        call    save
        mov     si, s_1402
        call    puts
        mov     si, s_ah
        call    puts
        mov     al, [r_ax + 1]
        call    hex8
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        call    nl
        ret

; Read a key with AH=10h / 00h and print "<label at SI> ax=XXXX".
read10:
        mov     ah, 10h
        jmp     read
read00:
        mov     ah, 00h
read:
        int     16h
        call    puts
        call    print_ax_now
        call    nl
        ret

save:
        pushf
        pop     word [r_fl]
        mov     [r_ax], ax
        mov     [r_bx], bx
        mov     [r_cx], cx
        mov     [r_dx], dx
        ret

; The label at SI, then " cf=N ah=XX" (saved registers).
cf_ah:
        call    cf
        mov     si, s_ah
        call    puts
        mov     al, [r_ax + 1]
        call    hex8
        ret

; The label at SI, then " cf=N".
cf:
        call    puts
        mov     si, s_cf
        call    puts
cf_digit:
        mov     al, [r_fl]
        and     al, 1
        call    digit
        ret

; The label at SI, then " zf=N".
zf:
        call    puts
        mov     si, s_zf
        call    puts
        mov     al, [r_fl]
        shr     al, 6
        and     al, 1
        call    digit
        ret

print_ax:
        mov     ax, [r_ax]
print_ax_now:
        mov     si, s_ax
        call    puts
        call    hex16
        ret

print_cxdx:
        mov     si, s_cx
        call    puts
        mov     ax, [r_cx]
        call    hex16
        mov     si, s_dx
        call    puts
        mov     ax, [r_dx]
        call    hex16
        ret

puts:
        push    ax
.l:     lodsb
        test    al, al
        jz      .d
        out     0E9h, al
        jmp     .l
.d:     pop     ax
        ret

putc:
        out     0E9h, al
        ret

space:
        push    ax
        mov     al, ' '
        out     0E9h, al
        pop     ax
        ret

nl:
        push    ax
        mov     al, 10
        out     0E9h, al
        pop     ax
        ret

digit:
        push    ax
        add     al, '0'
        out     0E9h, al
        pop     ax
        ret

hex32:
        push    eax
        shr     eax, 16
        call    hex16
        pop     eax
hex16:
        xchg    al, ah
        call    hex8
        xchg    al, ah
hex8:
        push    ax
        shr     al, 4
        call    .nib
        pop     ax
        push    ax
        and     al, 0Fh
        call    .nib
        pop     ax
        ret
.nib:
        add     al, '0'
        cmp     al, '9'
        jbe     .o
        add     al, 7
.o:     out     0E9h, al
        ret

; --- data ------------------------------------------------------------------------------------

s_boot:   db "BOOT", 10, 0
s_11:     db "11h ax=", 0
s_12:     db "12h ax=", 0
s_e820:   db "E820 ", 0
s_e820n:  db "E820 entries=", 0
s_e801:   db "E801", 0
s_88:     db "88h", 0
s_c0:     db "C0h", 0
s_table:  db " table=", 0
s_2402:   db "2402h", 0
s_2400:   db "2400h", 0
s_2401:   db "2401h", 0
s_2403:   db "2403h", 0
s_wrap:   db " wrap=", 0
s_87a:    db "87h up", 0
s_87b:    db "87h back", 0
s_same:   db " same", 0
s_differ: db " differ", 0
s_86:     db "86h 200ms", 0
s_ticks:  db " ticks=", 0
s_ok:     db "ok", 0
s_bad:    db " bad", 0
s_1a03:   db "1A03 set 12:34:56", 0
s_1a02:   db "1A02", 0
s_time:   db " time=", 0
s_dl:     db " dl=", 0
s_1a05:   db "1A05 set 2025-12-31", 0
s_1a04:   db "1A04", 0
s_date:   db " date=", 0
s_1a06:   db "1A06 set", 0
s_1a06b:  db "1A06 again", 0
s_1a06c:  db "1A06 after reset", 0
s_1a07:   db "1A07", 0
s_1a00:   db "1A00", 0
s_1a00m:  db "1A00 midnight", 0
s_1c:     db "1Ch count over 5 ticks=", 0
s_1400:   db "1400 9600 8N1", 0
s_1400c2: db "1400 COM2", 0
s_1401:   db "1401 Hi", 0
s_1402:   db "1402", 0
s_1403:   db "1403", 0
s_hi:     db "Hi", 0
s_serialq: db "SERIAL?", 10, 0
s_17:     db "1702 LPT1", 0
s_1601e:  db "1601 empty", 0
s_1611e:  db "1611 empty", 0
s_1605:   db "1605 1234", 0
s_1605f:  db "1605 fill stored=", 0
s_1611:   db "1611", 0
s_1601:   db "1601", 0
s_1610:   db "1610", 0
s_160a:   db "160A", 0
s_keysq:  db "KEYS?", 10, 0
s_releaseq: db "RELEASE?", 10, 0
s_1602:   db "1602 held", 0
s_1612:   db "1612", 0
s_4f:     db "4Fh calls=", 0
k_q:      db "key q via 4Fh", 0
k_shift:  db "key shift+a", 0
k_ctrl:   db "key ctrl+a", 0
k_alt:    db "key alt+a", 0
k_up:     db "key up 10h", 0
k_up0:    db "key up 00h", 0
k_f12:    db "key F12 11h", 0
k_b01:    db "key b 01h", 0
k_b00:    db "key b 00h", 0
s_done:   db "DONE", 10, 0
s_19:     db "19h reboot", 10, 0
s_19b:    db "booted again dl=", 0
s_4a:     db "4Ah alarm calls=", 0
s_1402t:  db "1402 time-out", 0
s_breakq: db "BREAK?", 10, 0
s_1b:     db "1Bh ctrl+break calls=", 0
s_flag:   db " 40:71h=", 0
k_break:  db "key ctrl+break", 0
s_cf:     db " cf=", 0
s_zf:     db " zf=", 0
s_ah:     db " ah=", 0
s_al:     db " al=", 0
s_ax:     db " ax=", 0
s_bx:     db " bx=", 0
s_cx:     db " cx=", 0
s_dx:     db " dx=", 0

align 4
old15:    dd 0
old1c:    dd 0
old4a:    dd 0
old1b:    dd 0
calls4a:  dw 0
calls1b:  dw 0
calls4f:  dw 0
ticks1c:  dw 0
count:    db 0
align 2
r_ax:     dw 0
r_bx:     dw 0
r_cx:     dw 0
r_dx:     dw 0
r_fl:     dw 0
align 16
gdt:      times 48 db 0
buf:      times 24 db 0
pattern:  times 512 db 0
back:     times 512 db 0

        times   (STAGE2_SECTORS + 1) * 512 - ($-$$) db 0
