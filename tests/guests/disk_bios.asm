; disk_bios.asm: a boot floppy that exercises INT 13h on A: and C: and reports on port E9h.
;
; Sector 0 is the boot sector: it loads the rest of the program (stage 2, sectors 2..) with
; INT 13h AH=02h from the boot drive and jumps there. Stage 2 calls the disk BIOS and prints
; one line per call: what it asked, CF, AH and the registers or data that show the answer.
; The test (crates/pc/tests/disk_boot.rs) prepares the disks and compares the report.
;
; Build: nasm -f bin disk_bios.asm

        cpu     386
        bits    16
        org     7C00h

STAGE2_SECTORS equ 6

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
        mov     si, s_boot
        call    puts
        mov     al, [boot_drive]
        call    hex8
        call    nl

        ; AH=08h on A: drive parameters.
        mov     si, s_a08
        mov     ah, 08h
        mov     dl, 00h
        int     13h
        call    save
        call    cf_ah
        mov     si, s_bx
        mov     ax, [r_bx]
        call    reg16
        mov     si, s_cx
        mov     ax, [r_cx]
        call    reg16
        mov     si, s_dx
        mov     ax, [r_dx]
        call    reg16
        mov     si, s_esdi
        call    puts
        mov     ax, es
        call    hex16
        mov     al, ':'
        out     0E9h, al
        mov     ax, di
        call    hex16
        call    nl

        ; AH=15h on A: and C:.
        mov     si, s_a15
        mov     ah, 15h
        mov     dl, 00h
        int     13h
        call    save
        call    cf_ah
        call    nl
        mov     si, s_c15
        mov     ah, 15h
        mov     dl, 80h
        int     13h
        call    save
        call    cf_ah
        mov     si, s_cx
        mov     ax, [r_cx]
        call    reg16
        mov     si, s_dx
        mov     ax, [r_dx]
        call    reg16
        call    nl

        ; AH=08h on C:.
        mov     si, s_c08
        mov     ah, 08h
        mov     dl, 80h
        int     13h
        call    save
        call    cf_ah
        mov     si, s_cx
        mov     ax, [r_cx]
        call    reg16
        mov     si, s_dx
        mov     ax, [r_dx]
        call    reg16
        call    nl

        ; AH=02h on A:: C0 H1 S1 (LBA 18), two sectors to 1000:0000.
        mov     si, s_a02
        push    1000h
        pop     es
        xor     bx, bx
        mov     ax, 0202h
        mov     cx, 0001h
        mov     dx, 0100h
        int     13h
        call    save
        call    cf_ah
        call    al_out
        mov     si, s_data
        call    puts
        mov     ax, [es:0]
        call    hex16
        mov     al, ' '
        out     0E9h, al
        mov     ax, [es:512]
        call    hex16
        call    nl

        ; AH=03h on A:: C79 H1 S18 (the last sector) from msg_floppy.
        mov     si, s_a03
        push    0
        pop     es
        mov     bx, wbuf_floppy
        mov     ax, 0301h
        mov     cx, 4F12h
        mov     dx, 0100h
        int     13h
        call    save
        call    cf_ah
        call    al_out
        call    nl

        ; Read it back to 0:9000h and compare.
        mov     si, s_a02b
        mov     bx, 9000h
        mov     ax, 0201h
        mov     cx, 4F12h
        mov     dx, 0100h
        int     13h
        call    save
        call    cf_ah
        mov     si, wbuf_floppy
        mov     di, 9000h
        mov     cx, 256
        repe    cmpsw
        mov     si, s_same
        je      .same1
        mov     si, s_diff
.same1: call    puts
        call    nl

        ; Errors: sector 19 on an 18-sector track; a buffer crossing a 64 KiB DMA page.
        mov     si, s_a02e
        mov     bx, 9000h
        mov     ax, 0201h
        mov     cx, 0013h
        xor     dh, dh
        mov     dl, 0
        int     13h
        call    save
        call    cf_ah
        call    nl
        mov     si, s_a01
        mov     ah, 01h
        mov     dl, 0
        int     13h
        call    save
        call    cf_ah
        call    nl
        mov     si, s_a02d
        push    1000h
        pop     es
        mov     bx, 0FF00h
        mov     ax, 0201h
        mov     cx, 0001h
        xor     dx, dx
        int     13h
        call    save
        call    cf_ah
        call    al_out
        call    nl

        ; AH=41h on C: and A:.
        mov     si, s_c41
        mov     ah, 41h
        mov     bx, 55AAh
        mov     dl, 80h
        int     13h
        call    save
        call    cf_ah
        mov     si, s_bx
        mov     ax, [r_bx]
        call    reg16
        mov     si, s_cx
        mov     ax, [r_cx]
        call    reg16
        call    nl
        mov     si, s_a41
        mov     ah, 41h
        mov     bx, 55AAh
        mov     dl, 00h
        int     13h
        call    save
        call    cf_ah
        mov     si, s_cx
        mov     ax, [r_cx]
        call    reg16
        call    nl

        ; AH=42h on C:: LBA 100, two sectors to 2000:0000.
        mov     si, s_c42
        mov     word [dap.count], 2
        mov     word [dap.off], 0
        mov     word [dap.seg], 2000h
        mov     dword [dap.lba], 100
        push    0
        pop     es
        mov     ah, 42h
        mov     dl, 80h
        mov     si, dap
        int     13h
        call    save
        mov     si, s_c42
        call    cf_ah
        mov     si, s_count
        mov     ax, [dap.count]
        call    reg16
        mov     si, s_data
        call    puts
        push    2000h
        pop     es
        mov     ax, [es:0]
        call    hex16
        mov     al, ' '
        out     0E9h, al
        mov     ax, [es:512]
        call    hex16
        call    nl

        ; AH=43h on C:: LBA 200 from msg_disk.
        mov     word [dap.count], 1
        mov     word [dap.off], wbuf_disk
        mov     word [dap.seg], 0
        mov     dword [dap.lba], 200
        mov     ax, 4300h
        mov     dl, 80h
        mov     si, dap
        int     13h
        call    save
        mov     si, s_c43
        call    cf_ah
        mov     si, s_count
        mov     ax, [dap.count]
        call    reg16
        call    nl

        ; AH=02h on C:: C0 H0 S1, the MBR: show its signature.
        mov     si, s_c02
        push    0
        pop     es
        mov     bx, 9000h
        mov     ax, 0201h
        mov     cx, 0001h
        mov     dx, 0080h
        int     13h
        call    save
        call    cf_ah
        call    al_out
        mov     si, s_data
        call    puts
        mov     ax, [9000h + 510]
        call    hex16
        call    nl

        ; AH=03h on C:: C1 H2 S3 = LBA (1*16+2)*63+2 = 1136.
        mov     si, s_c03
        mov     bx, wbuf_disk
        mov     ax, 0301h
        mov     cx, 0103h
        mov     dx, 0280h
        int     13h
        call    save
        call    cf_ah
        call    al_out
        call    nl

        ; AH=48h on C:, with room for the DPTE pointer.
        mov     si, s_c48
        mov     word [params], 1Eh
        mov     ah, 48h
        mov     dl, 80h
        mov     si, params
        int     13h
        call    save
        mov     si, s_c48
        call    cf_ah
        mov     si, s_size
        mov     ax, [params]
        call    reg16
        mov     si, s_flags
        mov     ax, [params + 2]
        call    reg16
        mov     si, s_chs
        call    puts
        mov     ax, [params + 4]
        call    hex16
        mov     al, '/'
        out     0E9h, al
        mov     ax, [params + 8]
        call    hex16
        mov     al, '/'
        out     0E9h, al
        mov     ax, [params + 12]
        call    hex16
        mov     si, s_total
        mov     ax, [params + 16]
        call    reg16
        mov     si, s_dpte
        call    puts
        mov     ax, [params + 28]
        call    hex16
        mov     al, ':'
        out     0E9h, al
        mov     ax, [params + 26]
        call    hex16
        call    nl

        ; AH=42h on A:: LBA 36 (C1 H0 S1), one sector to 0:9000h.
        mov     word [dap.count], 1
        mov     word [dap.off], 9000h
        mov     word [dap.seg], 0
        mov     dword [dap.lba], 36
        mov     ah, 42h
        mov     dl, 00h
        mov     si, dap
        int     13h
        call    save
        mov     si, s_a42
        call    cf_ah
        mov     si, s_data
        call    puts
        mov     ax, [9000h]
        call    hex16
        call    nl

        ; A drive that is not there, and the change line of A:.
        mov     si, s_d02
        mov     bx, 9000h
        mov     ax, 0201h
        mov     cx, 0001h
        mov     dx, 0081h
        int     13h
        call    save
        call    cf_ah
        call    nl
        mov     si, s_a16
        mov     ah, 16h
        mov     dl, 0
        int     13h
        call    save
        call    cf_ah
        call    nl

        mov     si, s_done
        call    puts
        call    nl
        cli
        hlt
        jmp     $-2

; --- output helpers -------------------------------------------------------------------------


; Save the registers and flags an INT 13h returned.
save:
        pushf
        pop     word [r_fl]
        mov     [r_ax], ax
        mov     [r_bx], bx
        mov     [r_cx], cx
        mov     [r_dx], dx
        ret

; Print the label at SI, then " cf=N ah=XX".
cf_ah:
        call    puts
        mov     si, s_cf
        call    puts
        mov     al, [r_fl]
        and     al, 1
        add     al, '0'
        out     0E9h, al
        mov     si, s_ah
        call    puts
        mov     al, [r_ax + 1]
        call    hex8
        ret

al_out:
        mov     si, s_al
        call    puts
        mov     al, [r_ax]
        call    hex8
        ret

; Print the label at SI then AX in hex.
reg16:
        call    puts
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

nl:
        mov     al, 10
        out     0E9h, al
        ret

hex16:
        xchg    al, ah
        call    hex8
        xchg    al, ah
        call    hex8
        ret

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

; --- data -----------------------------------------------------------------------------------

s_boot:  db "BOOT dl=", 0
s_a08:   db "A: 08", 0
s_a15:   db "A: 15", 0
s_c15:   db "C: 15", 0
s_c08:   db "C: 08", 0
s_a02:   db "A: 02 C0H1S1x2", 0
s_a03:   db "A: 03 C79H1S18", 0
s_a02b:  db "A: 02 readback", 0
s_a02e:  db "A: 02 S19", 0
s_a01:   db "A: 01", 0
s_a02d:  db "A: 02 1000:FF00", 0
s_c41:   db "C: 41", 0
s_a41:   db "A: 41", 0
s_c42:   db "C: 42 LBA100x2", 0
s_c43:   db "C: 43 LBA200", 0
s_c02:   db "C: 02 C0H0S1", 0
s_c03:   db "C: 03 C1H2S3", 0
s_c48:   db "C: 48", 0
s_a42:   db "A: 42 LBA36", 0
s_d02:   db "81: 02", 0
s_a16:   db "A: 16", 0
s_done:  db "DONE", 0
s_cf:    db " cf=", 0
s_ah:    db " ah=", 0
s_al:    db " al=", 0
s_bx:    db " bx=", 0
s_cx:    db " cx=", 0
s_dx:    db " dx=", 0
s_esdi:  db " es:di=", 0
s_data:  db " data=", 0
s_same:  db " same", 0
s_diff:  db " DIFFERENT", 0
s_count: db " count=", 0
s_size:  db " size=", 0
s_flags: db " flags=", 0
s_chs:   db " chs=", 0
s_total: db " total=", 0
s_dpte:  db " dpte=", 0

        align   4
r_fl:   dw 0
r_ax:   dw 0
r_bx:   dw 0
r_cx:   dw 0
r_dx:   dw 0

dap:
        db 10h, 0
.count: dw 0
.off:   dw 0
.seg:   dw 0
.lba:   dq 0

params: times 32 db 0

wbuf_floppy:
        db "WRITTEN TO A: BY INT 13h AH=03h"
        times 512-($-wbuf_floppy) db 0F1h
wbuf_disk:
        db "WRITTEN TO C: BY INT 13h"
        times 512-($-wbuf_disk) db 0C3h

        times (STAGE2_SECTORS + 1) * 512 - ($-$$) db 0
